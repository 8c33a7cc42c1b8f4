import {ErrorCode, type ScanOptions} from '../src/engine.js'
import {
  CliError, Flags, RecordList, SchemaReads, StrataCommand, parseSchemaVersion, decodeRange, keyEncodingFlag, keyValueShape, valueEncodingFlag, type FlagRule,
  type Format, type ShownRecord,
} from '../src/cli/index.js'

/**
 * JSON output: {"records": [record...], "count": number} (record shape: src/cli/output/records.ts),
 * written as it streams: one record per line inside the array. NDJSON: one record per line.
 */
export default class Scan extends StrataCommand {
  static override summary = 'List keys in bytewise order across all shards.'
  static override description = `Lists live keys (not deleted, not expired) in bytewise key order, merged across shards. The range is [--from, --to): --from is included, --to is not, and --from must be below --to (else exit 2). --prefix keeps keys that start with it and combines with --from/--to. Bounds and prefix are given in --key-encoding. Exits 1 when nothing matched.

Text output is one "key<TAB>value" line per record (just the key with --keys-only), bytes escaped so a record is one line. NDJSON output can be loaded into another store with put --batch; use --key-encoding base64 --value-encoding base64 for a byte-exact export. Records written with a schema (put --schema) are read at their schema's latest version, or at --schema-version V, upgraded through its declared changes without writing anything; --raw prints them as stored. JSON and NDJSON records name the version shown ("schema": "NAME@V"). Reads never take the writer lock and never change the store.`

  static override examples = [
    {description: 'List everything.', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Keys from "user:" up to (not including) "user:5".', command: '<%= config.bin %> <%= command.id %> --from user: --to user:5'},
    {description: 'The last 10 keys under a prefix, newest name first.', command: '<%= config.bin %> <%= command.id %> --prefix user: --reverse --limit 10'},
    {description: 'Records of schema "user" as stored, not upgraded.', command: '<%= config.bin %> <%= command.id %> --prefix user: --raw --format ndjson'},
    {description: 'Export as NDJSON that put --batch loads back byte-exact.', command: '<%= config.bin %> <%= command.id %> --format ndjson --key-encoding base64 --value-encoding base64 > export.ndjson'},
  ]

  static override flagRules: readonly FlagRule[] = [
    {flag: 'keys-only', conflicts: ['value-encoding'], why: 'no values are printed'},
    {flag: 'raw', conflicts: ['schema-version'], why: '--raw prints records as stored'},
  ]

  static override flags = {
    from: Flags.string({summary: 'First key of the range (included).', helpValue: 'KEY'}),
    to: Flags.string({summary: 'End of the range (excluded).', helpValue: 'KEY'}),
    prefix: Flags.string({summary: 'Only keys starting with this.', helpValue: 'PREFIX'}),
    limit: Flags.integer({summary: 'At most this many records.', min: 1, helpValue: 'N'}),
    reverse: Flags.boolean({summary: 'Descending key order.'}),
    'keys-only': Flags.boolean({summary: 'Print keys without values.'}),
    'key-encoding': keyEncodingFlag,
    'value-encoding': valueEncodingFlag,
    'schema-version': Flags.string({summary: 'Read records stamped with a schema at this version of it (default: its latest).', helpValue: 'V'}),
    raw: Flags.boolean({summary: 'Print records stamped with a schema as stored, not upgraded.'}),
  }

  protected override defaultFormat(): Format {
    return this.stdoutIsTTY ? 'table' : 'text'
  }

  async run(): Promise<void> {
    const {flags} = await this.parseCommand(Scan)
    const enc = {key: flags['key-encoding'], value: flags['value-encoding']}
    const keysOnly = flags['keys-only']
    const options: ScanOptions = {
      ...decodeRange(flags, enc.key),
      ...(flags.limit === undefined ? {} : {limit: flags.limit}),
      reverse: flags.reverse,
    }
    const out = this.output
    const schemas = new SchemaReads(flags.dir, parseSchemaVersion(flags['schema-version']), flags.raw)
    const store = await this.openReader(flags.dir)
    const count = await this.using(store, async (s) => {
      const list = new RecordList<ShownRecord>(out, keyValueShape(enc, keysOnly), {eagerHead: true, tableStyle: [out.color.cyan]})
      await list.start()
      for await (const kv of s.scan(options)) {
        if (out.closed) break
        // Stamped records through the lazy upgrade (schema-reads.ts); the rest as they are.
        await list.add(kv.schema === undefined ? kv : await schemas.show(kv))
      }
      await list.finish({count: list.count})
      return list.count
    })
    if (count === 0) throw new CliError(ErrorCode.NOT_FOUND, 'no keys matched')
  }
}
