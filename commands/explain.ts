import {ErrorCode} from '../src/engine.js'
import {
  Args, CliError, Flags, SchemaReads, StrataCommand, checkKey, parseSchemaVersion, type VersionSchema, decodeArgument, keyEncodingFlag, keyForMessage, printExplanation, stateReason, valueEncodingFlag, type Format,
} from '../src/cli/index.js'

/** JSON shape: src/cli/views/explain.ts. */
export default class Explain extends StrataCommand {
  static override summary = 'Show where a key lives: its shard, and every stored version and which one wins.'
  static override description = `Prints the shard that holds KEY (and the key's hash), then every version of it still stored, newest first: whether it is in the WAL (and so the memtable) or in an SSTable (file and level), the byte offset (of the WAL record, or of the table's data block), sequence number, kind (put or delete), expiry and value size. Each version is marked: "wins" (the newest, live: what get returns), "deleted" (the newest is a tombstone), "expired" (the newest has passed its expiry) or "shadowed" (hidden by a newer version), with the reason.

Exit status answers "is the key live?": 0 when it is; 1 when it is missing (no stored version), deleted or expired - the history is still printed, and stderr says why. Values are shown in JSON, and in text and table output with --values. A version written with a schema also shows its schema, the version stored and the version reads resolve it to (its schema's latest, or --schema-version V). Reads never take the writer lock and never change the store.`

  static override examples = [
    {description: 'Where is user:1, and which version does get return?', command: '<%= config.bin %> <%= command.id %> user:1'},
    {description: 'The same with values, for a binary key.', command: '<%= config.bin %> <%= command.id %> 00ff --key-encoding hex --values --value-encoding hex'},
    {description: 'As JSON for a script.', command: '<%= config.bin %> <%= command.id %> user:1 --format json'},
  ]

  static override args = {
    key: Args.string({description: 'Key to explain, in --key-encoding.', required: true, ignoreStdin: true}),
  }

  static override flags = {
    values: Flags.boolean({summary: 'Show each version\'s value in text and table output (JSON always has them).'}),
    'key-encoding': keyEncodingFlag,
    'value-encoding': valueEncodingFlag,
    'schema-version': Flags.string({summary: 'For a record stamped with a schema, the version reads resolve it to (default: its latest).', helpValue: 'V'}),
  }

  protected override defaultFormat(): Format {
    return this.stdoutIsTTY ? 'table' : 'text'
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parseCommand(Explain)
    const enc = {key: flags['key-encoding'], value: flags['value-encoding']}
    const key = decodeArgument(args.key, enc.key, 'key', '--key-encoding')
    checkKey(key)
    const store = await this.openReader(flags.dir)
    const explanation = await this.using(store, async (s) => s.explain(key))
    // Each stamped version: the schema version stored and the one reads resolve it to.
    const schemas = new Map<(typeof explanation.versions)[number], VersionSchema>()
    const toVersion = parseSchemaVersion(flags['schema-version'])
    const reads = new SchemaReads(flags.dir)
    for (const v of explanation.versions) {
      if (v.schema === undefined) continue
      const view = await reads.load()
      schemas.set(v, {name: view.nameOf(v.schema.id), storedVersion: v.schema.version, resolvedVersion: Math.max(v.schema.version, view.targetOf(v.schema.id, toVersion))})
    }
    await printExplanation(this.output, explanation, {enc, values: flags.values, schemas})
    if (explanation.state !== 'live') {
      const name = keyForMessage(key, enc.key)
      const message = explanation.state === 'missing' ? `key not found: ${name} (no stored version)` : `key ${name} is ${explanation.state}: ${stateReason(explanation)}`
      throw new CliError(ErrorCode.NOT_FOUND, message)
    }
  }
}
