import {ErrorCode, type KeyValue} from '../src/index.js'
import {
  Args, CliError, Flags, StrataCommand, checkKey, decodeInput, formatJson, formatText, keyEncodingFlag, keysForMessage,
  recordTable, recordToJson, recordToText, valueEncodingFlag,
} from '../src/cli/index.js'

/**
 * JSON output: {"records": [record...], "missing": [{"key", "keyEncoding"}...]}
 * (record shape: src/cli/records.ts). NDJSON: one record per line, found keys only.
 */
export default class Get extends StrataCommand {
  static override summary = 'Read the values of one or more keys.'
  static override description = `Prints the keys that exist. If any key is missing (never written, deleted or expired) the others are still printed, the missing ones are named on stderr, and the exit code is 1.

Text output: for one key just its value; for several, "key<TAB>value" lines. Control bytes, backslash and invalid UTF-8 are escaped (\\n, \\t, \\\\, \\xNN) so a record is one line; --raw writes one value's bytes exactly. JSON output prints values written with put --json as JSON. Reads never take the writer lock and never change the store.`

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

  static override flags = {
    raw: Flags.boolean({summary: 'Write the value\'s bytes exactly as stored, nothing added (one key only).'}),
    'key-encoding': keyEncodingFlag,
    'value-encoding': valueEncodingFlag,
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parseCommand(Get)
    const enc = {key: flags['key-encoding'], value: flags['value-encoding']}
    const texts = argv as string[]
    if (flags.raw && texts.length !== 1) throw new CliError(ErrorCode.INVALID_ARGUMENT, '--raw prints one value: give exactly one key')
    const keys = texts.map((t, i) => decodeInput(t, enc.key, texts.length === 1 ? 'key' : `key ${i + 1}`))
    keys.forEach((k, i) => checkKey(k, texts.length === 1 ? 'key' : `key ${i + 1}`))

    const store = await this.openReader(flags.dir)
    const results = await this.using(store, async (s) => {
      const found: Array<KeyValue | undefined> = []
      for (const key of keys) found.push(await s.get(key))
      return found
    })
    const records = results.filter((r): r is KeyValue => r !== undefined)
    const missing = keys.filter((_, i) => results[i] === undefined)

    const out = this.output
    if (flags.raw) {
      if (records.length === 1) await out.raw(records[0].value)
    } else if (out.format === 'json') {
      await out.json({
        records: records.map((r) => recordToJson(r, enc)),
        missing: missing.map((k) => {
          const j = formatJson(k, enc.key)
          return {key: j.text, keyEncoding: j.encoding}
        }),
      })
    } else if (out.format === 'ndjson') {
      for (const r of records) await out.ndjson(recordToJson(r, enc))
    } else if (out.format === 'table') {
      if (records.length > 0) {
        const {head, rows} = recordTable(records, enc)
        await out.table(head, rows, {style: [out.color.cyan]})
      }
    } else if (keys.length === 1) {
      for (const r of records) await out.line(formatText(r.value, enc.value))
    } else {
      for (const r of records) await out.line(recordToText(r, enc))
    }

    if (missing.length > 0) {
      const names = keysForMessage(missing, enc.key)
      throw new CliError(ErrorCode.NOT_FOUND, missing.length === 1 ? `key not found: ${names}` : `${missing.length} keys not found: ${names}`)
    }
  }
}
