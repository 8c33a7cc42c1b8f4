import {Args, Flags, GET_FLAGS, StrataCommand, type FlagRule, cacheSizeFlag, keyEncodingFlag, runGet, valueEncodingFlag} from '../src/cli/index.js'

/**
 * JSON output: {"records": [record...], "missing": [{"key", "keyEncoding"}...]}
 * (record shape: src/cli/output/records.ts). NDJSON: one record per line, found keys only.
 */
export default class Get extends StrataCommand {
  static override summary = 'Read the values of one or more keys.'
  static override description = `Prints the keys that exist. If any key is missing (never written, deleted or expired) the others are still printed, the missing ones are named on stderr, and the exit code is 1.

Text output: for one key just its value; for several, "key<TAB>value" lines. Control bytes, backslash and invalid UTF-8 are escaped (\\n, \\t, \\\\, \\xNN) so a record is one line; --raw writes one value's bytes exactly. JSON output prints values written with put --json as JSON. A record written with a schema (put --schema) is read at its schema's latest version, or at --schema-version V, upgraded through the declared changes without writing anything (one that does not convert is printed as stored); --raw prints it as stored, and JSON output names the version shown ("schema": "NAME@V"). Reads never take the writer lock and never change the store.`

  static override examples = [
    {description: 'Print one value.', command: '<%= config.bin %> <%= command.id %> user:1'},
    {description: 'Print several keys as JSON.', command: '<%= config.bin %> <%= command.id %> user:1 session:9 --format json'},
    {description: 'Print a binary value as hex.', command: '<%= config.bin %> <%= command.id %> 00ff --key-encoding hex --value-encoding hex'},
    {description: 'Copy a value\'s exact bytes into a file.', command: '<%= config.bin %> <%= command.id %> logo --raw > logo.png'},
  ]

  static override strict = false

  static override args = {
    key: Args.string({description: 'Key(s) to read, in --key-encoding.', required: true, ignoreStdin: true}),
  }

  static override flagRules: readonly FlagRule[] = [
    {flag: 'raw', conflicts: ['format', 'json', 'value-encoding', 'schema-version'], why: '--raw writes the value\'s stored bytes, in no output format or encoding'},
  ]

  static override flags = {
    raw: Flags.boolean({summary: GET_FLAGS.raw.summary}),
    'key-encoding': keyEncodingFlag,
    'value-encoding': valueEncodingFlag,
    'cache-size': cacheSizeFlag,
    'schema-version': Flags.string({summary: GET_FLAGS['schema-version'].summary, helpValue: 'V'}),
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parseCommand(Get)
    await runGet(
      {dir: flags.dir, texts: argv as string[], enc: {key: flags['key-encoding'], value: flags['value-encoding']}, raw: flags.raw, cacheSize: flags['cache-size'], schemaVersion: flags['schema-version']},
      this.output,
    )
  }
}
