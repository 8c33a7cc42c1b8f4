import {Args, CliError, CliErrorCode, Flags, StrataCommand, keyEncodingFlag, parseSchemaVersion, runDump, valueEncodingFlag, type DumpView, type FlagRule, type Format} from '../src/cli/index.js'

/** JSON shapes: src/cli/views/dump/run.ts (documents), record-json.ts; src/dump/summary.ts, layout.ts. */
export default class Dump extends StrataCommand {
  static override summary = 'Decode a data file, or every file of a store, through the Kaitai format specs.'
  static override description = `PATH is one file (STORE, CURRENT, MANIFEST-NNNNNN, NNNNNN.wal, NNNNNN.sst), a shard directory, or a data directory (default: --dir), whose files are then shown shard by shard: STORE, then each shard's CURRENT, manifest, WAL and tables. Files are decoded by the parsers generated from formats/*.ksy, not by the engine, and every checksum is verified.

By default each file is summarised: kind, size, format version and the decoded header, footer, properties or manifest. The other views:
--records: every stored version - where it is, sequence, kind, key, value, expiry, flags. Of one file, its entries in file order (a WAL's in log order); of a data or shard directory, every version of every key in key order, each key's oldest first, tombstones included.
--latest: only the newest live version of each key across the store (deleted and expired keys left out), in key order; implies --records. Records written with a schema are shown at their schema's latest version (or --schema-version V), upgraded through its declared changes, and JSON names the version ("schema": "NAME@V"); --raw shows them as stored. With --format ndjson each line is a put --batch line with an absolute expiresAt, so "init --dir NEW" followed by "dump DIR --latest --format ndjson | put --batch - --dir NEW" copies the store's live data (put never creates a store).
--hex: the raw bytes of every field with its offset and meaning; byte fields longer than --max-bytes are cut.
--layout: the blocks of each file in order - offset, size, compression, checksum (stored, and whether it verifies), entries, first and last key.

Keys and values are printed per --key-encoding/--value-encoding; text escapes control bytes so one record is one line, and JSON falls back to base64 for bytes that are not UTF-8. Record JSON has get/scan's shape ("delete": true for tombstones) and values are exact bytes, so NDJSON record lines are put --batch lines. Those of a directory load into an empty store as exactly its live data: --latest gives the live versions, --records replays every version in order (tombstones as deletes, expired versions as deletes). One file's records are only that file's part of a store. --locations adds each record's file, offset, block and flags (such lines are then no longer put --batch input).

Read-only: no lock is taken and nothing is written, so dump is safe while another process writes; a WAL ending in an append in progress shows its complete records and notes the torn tail. A damaged file stops the dump with exit 3 and one line naming the file and byte offset: --hex and --layout first show the whole file, the damage included; --records of one file first lists the records before the damage.`

  static override examples = [
    {description: 'Summarise every file of the store in ./data.', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'One table\'s block layout.', command: '<%= config.bin %> <%= command.id %> data/shard-0000/000012.sst --layout'},
    {description: 'A WAL\'s records, binary keys and values in hex.', command: '<%= config.bin %> <%= command.id %> data/shard-0001/000013.wal --records --key-encoding hex --value-encoding hex'},
    {description: 'Every byte of a manifest beside its meaning.', command: '<%= config.bin %> <%= command.id %> data/shard-0000/MANIFEST-000007 --hex'},
    {description: 'Copy the live data into a new store (put never creates one), byte-exact, TTLs included.', command: '<%= config.bin %> init --dir copy && <%= config.bin %> <%= command.id %> data --latest --format ndjson --key-encoding base64 --value-encoding base64 | <%= config.bin %> put --batch - --dir copy'},
  ]

  static override args = {
    path: Args.string({description: 'File, shard directory or data directory to dump (default: --dir).', ignoreStdin: true}),
  }

  static override flagRules: readonly FlagRule[] = [
    {flag: 'max-bytes', needs: ['hex'], why: 'it limits the bytes --hex shows'},
  ]

  static override flags = {
    records: Flags.boolean({summary: 'List the stored versions: a file\'s in file order, a directory\'s by key, oldest first.', exclusive: ['hex', 'layout']}),
    latest: Flags.boolean({summary: 'Only the newest live version of each key across the store, in key order (implies --records).'}),
    hex: Flags.boolean({summary: 'Show raw bytes with offsets beside the fields they encode.', exclusive: ['records', 'layout']}),
    layout: Flags.boolean({summary: 'Show each file\'s blocks: offset, size, compression, checksum, first and last key.', exclusive: ['records', 'hex']}),
    'schema-version': Flags.string({summary: 'With --latest: read records stamped with a schema at this version of it (default: its latest).', helpValue: 'V'}),
    raw: Flags.boolean({summary: 'With --latest: records stamped with a schema as stored, not upgraded.'}),
    locations: Flags.boolean({summary: 'With --records in JSON/NDJSON: add each record\'s file, offset, block and flags.'}),
    'max-bytes': Flags.integer({summary: 'With --hex: show at most N bytes of a field (0: all).', min: 0, default: 32, helpValue: 'N'}),
    'key-encoding': keyEncodingFlag,
    'value-encoding': valueEncodingFlag,
  }

  protected override defaultFormat(): Format {
    return this.stdoutIsTTY ? 'table' : 'text'
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parseCommand(Dump)
    if (flags.latest && (flags.hex || flags.layout)) {
      throw new CliError(CliErrorCode.USAGE, `--latest cannot be used with --${flags.hex ? 'hex' : 'layout'}`, 'run "strata dump --help" for usage')
    }
    if ((flags.raw || flags['schema-version'] !== undefined) && !flags.latest) throw new CliError(CliErrorCode.USAGE, '--raw and --schema-version go with --latest')
    if (flags.locations && !flags.records && !flags.latest) throw new CliError(CliErrorCode.USAGE, '--locations goes with --records or --latest')
    const view: DumpView = flags.latest ? 'latest' : flags.records ? 'records' : flags.hex ? 'hex' : flags.layout ? 'layout' : 'summary'
    await runDump(this.output, {
      path: args.path ?? flags.dir,
      view,
      enc: {key: flags['key-encoding'], value: flags['value-encoding']},
      maxBytes: flags['max-bytes'],
      locations: flags.locations,
      ...(flags['schema-version'] === undefined ? {} : {schemaVersion: parseSchemaVersion(flags['schema-version'])}),
      raw: flags.raw,
      pathIsDataDir: args.path === undefined,
    })
  }
}
