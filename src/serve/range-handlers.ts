/**
 * `/scan` and `/bulk/range`: live records in key order as NDJSON, one record
 * per line in the shape `strata scan --format ndjson` prints (and
 * `put --batch` and POST /bulk load back).
 *
 *   GET /scan?from=&to=&prefix=&limit=&reverse=   [from, to), narrowed by prefix
 *   GET /bulk/range?start_key=&end_key=           [start_key, end_key]: end included
 *
 * Both take key-encoding (for the bounds and the keys printed) and
 * value-encoding. A response holds at most --max-range records (and at most
 * `limit`). When more remain, its last line is
 *   {"next": {"param": "from", "value": V, "query": Q}}
 * and GET <path>?Q returns the records that follow (Q is this request's query
 * with `param` set to V, percent-encoded in the request's key encoding, and
 * `limit` lowered by what was returned). A failure after the first line is
 * reported as a last line {"error": {...}} (the status is already sent).
 */
import type {ScanOptions} from '../api.js'
import {recordToJson} from '../codec/record-json.js'
import type {Encoding} from '../codec/encoding.js'
import {boundFrom, encodingParam} from './key-path.js'
import {errorResponse} from './http-error.js'
import {NdjsonStream} from './ndjson-stream.js'
import {SchemaRead} from './schema-read.js'
import type {RequestContext} from './context.js'
import type {Query} from './query.js'

/** GET /scan. */
export async function scanRange(ctx: RequestContext): Promise<void> {
  const q = ctx.query.only(['from', 'to', 'prefix', 'limit', 'reverse', 'key-encoding', 'value-encoding'])
  const enc = encodingParam(q, 'key-encoding')
  const reverse = q.flag('reverse')
  const bounds: ScanOptions = {
    ...optional('from', boundFrom(q.rawValue('from'), enc, 'from')),
    ...optional('to', boundFrom(q.rawValue('to'), enc, 'to')),
    ...optional('prefix', boundFrom(q.rawValue('prefix'), enc, 'prefix')),
    reverse,
  }
  // Forward, the next page starts at the first key not sent; reversed, it ends before the last key sent.
  await streamRange(ctx, bounds, q.integer('limit', 1), reverse ? {param: 'to', last: true} : {param: 'from', last: false})
}

/** GET /bulk/range. */
export async function bulkRange(ctx: RequestContext): Promise<void> {
  const q = ctx.query.only(['start_key', 'end_key', 'key-encoding', 'value-encoding'])
  const enc = encodingParam(q, 'key-encoding')
  const end = boundFrom(q.rawValue('end_key'), enc, 'end_key')
  const bounds: ScanOptions = {
    ...optional('from', boundFrom(q.rawValue('start_key'), enc, 'start_key')),
    // end_key is included: end_key + 0x00 is the smallest key above it.
    ...optional('to', end === undefined ? undefined : Buffer.concat([end, Buffer.of(0)])),
  }
  await streamRange(ctx, bounds, undefined, {param: 'start_key', last: false})
}

function optional<K extends string>(name: K, value: Buffer | undefined): {[P in K]?: Buffer} {
  return (value === undefined ? {} : {[name]: value}) as {[P in K]?: Buffer}
}

/** Where the next page starts: `param` is set to the first key not sent, or (`last`) to the last key sent. */
interface NextPage {
  readonly param: string
  readonly last: boolean
}

async function streamRange(ctx: RequestContext, bounds: ScanOptions, limit: number | undefined, next: NextPage): Promise<void> {
  const q = ctx.query
  const enc = {key: encodingParam(q, 'key-encoding'), value: encodingParam(q, 'value-encoding')}
  const cap = Math.min(limit ?? Number.MAX_SAFE_INTEGER, ctx.settings.maxRange)
  const schemas = new SchemaRead(ctx.store.dir)
  // One record past the cap says whether more remain. The scan is created
  // before the response starts, so bad bounds are still a 400.
  const scan = ctx.store.scan({...bounds, limit: cap + 1})
  const first = await scan.next()
  const out = new NdjsonStream(ctx.res)
  let sent = 0
  let lastKey: Buffer | undefined
  try {
    for (let r = first; !r.done && out.open; r = await scan.next()) {
      if (sent === cap) {
        // The caller's own limit is met: nothing follows. Else --max-range cut the page.
        if (limit !== undefined && sent >= limit) break
        const key = next.last ? lastKey! : r.value.key
        const remaining = limit === undefined ? undefined : limit - sent
        await out.line({next: nextPage(q, next.param, key, enc.key, remaining)})
        break
      }
      const {kv, schema} = await schemas.read(r.value)
      await out.line(recordToJson(kv, enc, false, schema))
      lastKey = kv.key
      sent++
    }
  } catch (err) {
    await out.line(errorResponse(err).body)
  } finally {
    await scan.return?.()
  }
  out.end()
}

/** The continuation: `param` set to `key` in the request's key encoding, and the query to send. */
function nextPage(q: Query, param: string, key: Buffer, enc: Encoding, limit: number | undefined): {param: string; value: string; query: string} {
  const value = enc === 'utf8' ? percentEncode(key) : encodeURIComponent(key.toString(enc))
  const parts: string[] = []
  for (const name of q.names()) {
    if (name === param || (name === 'limit' && limit !== undefined)) continue
    parts.push(`${encodeURIComponent(name)}=${q.rawValue(name)!}`)
  }
  parts.push(`${encodeURIComponent(param)}=${value}`)
  if (limit !== undefined) parts.push(`limit=${limit}`)
  return {param, value, query: parts.join('&')}
}

/** Every byte that is not an unreserved URL character as %XX, so any key survives. */
export function percentEncode(bytes: Buffer): string {
  let out = ''
  for (const b of bytes) {
    const c = String.fromCharCode(b)
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}
