import {availableParallelism} from 'node:os'
import {ErrorCode} from '../src/engine.js'
import {
  Args, CliError, CliErrorCode, Flags, StrataCommand, assertJsonText, checkKey, decodeArgument, keyEncodingFlag,
  loadBatch, lockTimeoutFlag, openInputFile, parseDuration, readValue, valueEncodingFlag, type InputFile,
} from '../src/cli/index.js'

/** A --batch file at least this big is parsed on a second thread; its start-up (~50 ms) pays off from about here. */
const PARALLEL_MIN_BYTES = 8 * 1024 * 1024

/**
 * JSON output: one put → {"key", "keyEncoding", "valueBytes", "json", "ttlMs": number|null, "schema": "NAME[@V]"|null};
 * --batch → {"puts", "deletes", "expired", "lines", "chunks"}.
 */
export default class Put extends StrataCommand {
  static override summary = 'Write a key, or many keys from NDJSON with --batch.'
  static override description = `The value comes from the VALUE argument, from --file PATH, or from stdin (VALUE "-", or no VALUE). --file and --batch read any readable file: a regular file, a FIFO, a device such as /dev/null, or <(cmd). Keys are 1 byte to 64 KiB, values at most 64 MiB; both are checked before the store is opened. The command exits 0 only once the write is on stable storage. A key or value that starts with "-" goes after "--", following the flags.

--batch FILE|- reads NDJSON, one object per line, for example:
  {"key":"k","value":"v"}
  {"key":"k","value":"v","ttl":"30s"}
  {"key":"k","delete":true}
  {"key":"6b","value":"00ff","encoding":"hex"}
  {"key":"k","value":"{\\"a\\":1}","json":true}
  {"key":"k","value":{"name":"ann"},"valueEncoding":"json","schema":"user@2"}

"ttl" is a duration string or a number of milliseconds; "expiresAt" (ms since the epoch, or ISO 8601) gives an absolute expiry. "encoding" sets the encoding of key and value, "keyEncoding"/"valueEncoding" set them separately, and "valueEncoding":"json" takes the value as a JSON value. Lines printed by get/scan --format ndjson are accepted as they are. Blank lines are skipped.

What is atomic: lines are applied in chunks of --batch-size records. Each chunk is validated before any of it is written, and each shard's part of a chunk is one atomic write. A bad line stops the load with its line number (exit 2): the chunks before it are applied and durable, nothing of its chunk is written.`

  static override examples = [
    {description: 'Store a string.', command: '<%= config.bin %> <%= command.id %> user:1 alice'},
    {description: 'Store a JSON value that expires in 10 minutes.', command: `<%= config.bin %> <%= command.id %> session:9 '{"user":1}' --json --ttl 10m`},
    {description: 'Store a binary key and value given in hex.', command: '<%= config.bin %> <%= command.id %> 00ff 68656c6c6f --key-encoding hex --value-encoding hex'},
    {description: 'Store the contents of a file.', command: '<%= config.bin %> <%= command.id %> logo --file ./logo.png'},
    {description: 'Store the output of a command (bash process substitution).', command: '<%= config.bin %> <%= command.id %> report --file <(date)'},
    {description: 'Store what arrives on stdin.', command: 'echo hello | <%= config.bin %> <%= command.id %> greeting -'},
    {description: 'Load NDJSON lines from stdin.', command: `printf '{"key":"a","value":"1"}\\n{"key":"b","delete":true}\\n' | <%= config.bin %> <%= command.id %> --batch -`},
  ]

  static override args = {
    key: Args.string({description: 'Key, in --key-encoding (not with --batch).', ignoreStdin: true}),
    value: Args.string({description: 'Value, in --value-encoding; "-" or absent reads stdin.', ignoreStdin: true}),
  }

  static override flags = {
    file: Flags.string({char: 'f', summary: 'Read the value from this file: a regular file, a FIFO, a device or <(cmd).', helpValue: 'PATH'}),
    ttl: Flags.string({summary: 'Time to live: 500ms, 30s, 10m, 2h, 7d (a plain number is seconds).', helpValue: 'DURATION'}),
    json: Flags.boolean({summary: 'The value is JSON: check it and mark it so (get then prints it as JSON).'}),
    schema: Flags.string({summary: 'Validate the JSON value against this registered schema (NAME: its latest version) and stamp the record with it.', helpValue: 'NAME[@V]'}),
    batch: Flags.string({summary: 'Apply NDJSON lines from FILE (also a FIFO, a device or <(cmd)), or from stdin with "-".', helpValue: 'FILE|-'}),
    'batch-size': Flags.integer({summary: 'Records per atomic chunk with --batch.', min: 1, default: 1000, helpValue: 'N'}),
    'lock-timeout': lockTimeoutFlag,
    'key-encoding': keyEncodingFlag,
    'value-encoding': valueEncodingFlag,
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parseCommand(Put)
    const lockTimeoutMs = parseDuration(flags['lock-timeout'], {what: '--lock-timeout', allowZero: true})
    if (flags.batch !== undefined) {
      const extra = [args.key !== undefined && 'KEY', args.value !== undefined && 'VALUE', flags.file !== undefined && '--file',
        flags.ttl !== undefined && '--ttl', flags.json && '--json', flags.schema !== undefined && '--schema'].filter(Boolean)
      if (extra.length > 0) {
        throw new CliError(CliErrorCode.USAGE, `--batch cannot be combined with ${extra.join(', ')}`, 'put options go in each NDJSON line ("ttl", "json", "schema")')
      }
      await this.putBatch(flags.batch, flags.dir, flags['batch-size'], {key: flags['key-encoding'], value: flags['value-encoding']}, lockTimeoutMs)
      return
    }
    if (args.key === undefined) throw new CliError(CliErrorCode.USAGE, 'missing required argument KEY', 'run "strata put --help" for usage')
    const key = decodeArgument(args.key, flags['key-encoding'], 'key', '--key-encoding')
    checkKey(key)
    const ttlMs = flags.ttl === undefined ? undefined : parseDuration(flags.ttl, {what: '--ttl'})
    const value = await readValue({arg: args.value, file: flags.file, encoding: flags['value-encoding']})
    const schema = flags.schema
    if (flags.json || schema !== undefined) assertJsonText(value, 'value')

    const store = await this.openWriter(flags.dir, {sync: 'always', lockTimeoutMs})
    const json = flags.json === true || schema !== undefined
    await this.using(store, (s) => s.put(key, value, {json, ...(ttlMs === undefined ? {} : {ttlMs}), ...(schema === undefined ? {} : {schema})}))
    await this.output.document(
      {key: args.key, keyEncoding: flags['key-encoding'], valueBytes: value.length, json, ttlMs: ttlMs ?? null, schema: schema ?? null},
      'OK',
    )
  }

  private async putBatch(source: string, dir: string, chunkRecords: number, encodings: {key: 'utf8' | 'hex' | 'base64'; value: 'utf8' | 'hex' | 'base64'}, lockTimeoutMs: number): Promise<void> {
    // Any readable file: a regular one (parsed on a second thread when big),
    // a FIFO, a device or <(cmd). Opened before the store, so a bad path writes nothing.
    let file: InputFile | undefined
    if (source !== '-') {
      file = await openInputFile(source, `--batch ${source}`)
    } else if (process.stdin.isTTY) {
      throw new CliError(ErrorCode.INVALID_ARGUMENT, '--batch - reads NDJSON from stdin, but stdin is a terminal', 'pipe or redirect the lines into strata')
    }
    const parallel = file?.size !== undefined && file.size >= PARALLEL_MIN_BYTES
    // sync 'none' + close(): close syncs every shard, so exit 0 still means durable.
    // A parallel load keeps two cores busy (parser and writer): with no third
    // core, a thread building tables only competes with them, so the
    // flushes and compactions stay inline.
    const background = !parallel || availableParallelism() > 2
    let store
    try {
      store = await this.openWriter(dir, {sync: 'none', lockTimeoutMs, background})
    } catch (err) {
      await file?.close()
      throw err
    }
    if (parallel) await file!.close() // the worker thread reads the file itself
    const input = file === undefined ? process.stdin : parallel ? {file: source} : file.stream()
    const result = await this.using(store, (s) => loadBatch(input, s, {chunkRecords, encodings, parallel}))
    const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`
    const expired = result.expired > 0 ? ` (${result.expired} already expired)` : ''
    await this.output.document(
      result,
      `applied ${plural(result.puts, 'put')}, ${plural(result.deletes, 'delete')}${expired} from ${plural(result.lines, 'line')} in ${plural(result.chunks, 'chunk')}`,
      [['puts', String(result.puts)], ['deletes', String(result.deletes)], ['expired', String(result.expired)], ['lines', String(result.lines)], ['chunks', String(result.chunks)]],
    )
  }
}
