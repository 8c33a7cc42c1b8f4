/**
 * What `strata get` does once its arguments are known. Shared by the oclif
 * command and the lean start-up path (fast-path.ts), so both behave the same.
 */
// Deep imports, not engine.js: that surface also loads digest, cuts and rebalance,
// which `get` (the start-up-sensitive command) never uses.
import {ErrorCode} from '../../errors.js'
import {open} from '../../store/open.js'
import type {KeyValue} from '../../api.js'
import {CliError} from '../oclif/cli-error.js'
import {decodeArgument} from '../input/arguments.js'
import {formatJson, formatText, type Encoding} from '../../codec/encoding.js'
import {checkKey} from '../../codec/limits.js'
import {parseSize} from '../input/size.js'
import type {Output} from '../output/output.js'
import {RecordList} from '../output/record-list.js'
import {keysForMessage, keyValueShape, type ShownRecord} from '../output/records.js'
import {SchemaReads, parseSchemaVersion} from '../schema-reads.js'

/** The parsed arguments of `get`. */
export interface GetRequest {
  readonly dir: string
  /** Keys as typed, in `enc.key`. */
  readonly texts: readonly string[]
  readonly enc: {readonly key: Encoding; readonly value: Encoding}
  readonly raw: boolean
  /** --cache-size as typed (default 8MiB). */
  readonly cacheSize?: string
  /** --schema-version as typed. */
  readonly schemaVersion?: string
}

/** Reads the keys and prints them; throws NOT_FOUND (exit 1) naming the missing ones. */
export async function runGet(req: GetRequest, out: Output): Promise<void> {
  const {texts, enc} = req
  if (req.raw && texts.length !== 1) throw new CliError(ErrorCode.INVALID_ARGUMENT, '--raw prints one value: give exactly one key')
  const keys = texts.map((t, i) => decodeArgument(t, enc.key, texts.length === 1 ? 'key' : `key ${i + 1}`, '--key-encoding'))
  keys.forEach((k, i) => checkKey(k, texts.length === 1 ? 'key' : `key ${i + 1}`))

  const cacheSizeBytes = req.cacheSize === undefined ? undefined : parseSize(req.cacheSize, '--cache-size')
  const store = await open(req.dir, {readOnly: true, ...(cacheSizeBytes === undefined ? {} : {cacheSizeBytes})})
  let results: Array<KeyValue | undefined>
  try {
    results = keys.map((k) => store.getSync(k))
  } finally {
    await store.close()
  }
  const found = results.filter((r): r is KeyValue => r !== undefined)
  const missing = keys.filter((_, i) => results[i] === undefined)
  // Stamped records are read through the lazy upgrade (--raw: as stored); the rest as they are.
  const schemas = new SchemaReads(req.dir, parseSchemaVersion(req.schemaVersion), req.raw)
  const records: ShownRecord[] = found.some((r) => r.schema !== undefined) ? await Promise.all(found.map((r) => schemas.show(r))) : found

  if (req.raw) {
    if (records.length === 1) await out.raw(records[0].value)
  } else {
    // One key prints its value alone as text; several print "key<TAB>value" lines.
    const shape = keyValueShape(enc)
    const list = new RecordList<ShownRecord>(out, keys.length === 1 ? {...shape, text: (r) => formatText(r.value, enc.value)} : shape,
      {document: true, tableStyle: [out.color.cyan]})
    for (const r of records) await list.add(r)
    await list.finish({
      missing: missing.map((k) => {
        const j = formatJson(k, enc.key)
        return {key: j.text, keyEncoding: j.encoding}
      }),
    })
  }

  if (missing.length > 0) {
    const names = keysForMessage(missing, enc.key)
    throw new CliError(ErrorCode.NOT_FOUND, missing.length === 1 ? `key not found: ${names}` : `${missing.length} keys not found: ${names}`)
  }
}
