/**
 * `/kv/{key}`: read, write and delete one key.
 *
 *   GET    the value's bytes; 404 NOT_FOUND when missing, deleted or expired.
 *          Content-Type application/json for a value written as JSON, else
 *          application/octet-stream. Headers: X-Strata-Expires-At (ms since
 *          the epoch) and X-Strata-TTL (ms left) for a key with a TTL,
 *          X-Strata-Seq, X-Strata-Shard, X-Strata-Schema (NAME@V, the version
 *          shown) for a record written with a schema, which is read upgraded
 *          to its schema's latest version, as `strata get` reads it.
 *   PUT / POST  the body is the value. ?ttl=30s, ?json=1 (the body must be
 *          JSON), ?schema=NAME[@V] (validated, stamped). Answers 200 with
 *          put's JSON document once the write is durable under --sync.
 *   DELETE writes a tombstone if the key is live: {"key", "keyEncoding", "deleted": bool}.
 *
 * Every form takes ?key-encoding=utf8|hex|base64 for the key in the path.
 */
import {MAX_VALUE_BYTES} from '../record/format.js'
import {formatJson} from '../codec/encoding.js'
import {parseDuration} from '../codec/duration.js'
import {assertJsonText} from '../codec/json-value.js'
import {readBody} from './request-body.js'
import {encodingParam, keyFrom} from './key-path.js'
import {sendJson, type RequestContext} from './context.js'
import {notFound} from './http-error.js'
import {SchemaRead} from './schema-read.js'

function keyOf(ctx: RequestContext): {key: Buffer; doc: {key: string; keyEncoding: string}} {
  const enc = encodingParam(ctx.query, 'key-encoding')
  const key = keyFrom(ctx.rest, enc, 'the key in the path')
  const shown = formatJson(key, enc)
  return {key, doc: {key: shown.text, keyEncoding: shown.encoding}}
}

/** GET /kv/{key}. */
export async function getKey(ctx: RequestContext): Promise<void> {
  ctx.query.only(['key-encoding'])
  const {key, doc} = keyOf(ctx)
  // A point read does no I/O wait worth yielding for: getSync spares a promise and a turn per request.
  const found = ctx.store.getSync(key)
  if (found === undefined) throw notFound(`key ${JSON.stringify(doc.key)} not found`)
  const {kv, schema} = found.schema === undefined ? {kv: found, schema: undefined} : await new SchemaRead(ctx.store.dir).read(found)
  const headers: Record<string, string> = {
    'content-type': kv.json ? 'application/json; charset=utf-8' : 'application/octet-stream',
    'content-length': String(kv.value.length),
    'x-strata-seq': String(kv.seq),
    'x-strata-shard': String(kv.shard),
  }
  if (kv.expiresAt !== undefined) {
    headers['x-strata-expires-at'] = String(kv.expiresAt)
    headers['x-strata-ttl'] = String(Math.max(0, kv.expiresAt - Date.now()))
  }
  if (schema !== undefined) headers['x-strata-schema'] = schema
  ctx.res.writeHead(200, headers)
  ctx.res.end(kv.value)
}

/** PUT or POST /kv/{key}. */
export async function putKey(ctx: RequestContext): Promise<void> {
  ctx.query.only(['key-encoding', 'ttl', 'json', 'schema'])
  const {key, doc} = keyOf(ctx)
  const ttlText = ctx.query.get('ttl')
  const ttlMs = ttlText === undefined ? undefined : parseDuration(ttlText, {what: 'ttl'})
  const schema = ctx.query.get('schema')
  const json = ctx.query.flag('json') || schema !== undefined
  const value = await readBody(ctx.req, Math.min(ctx.settings.maxBodyBytes, MAX_VALUE_BYTES), ctx.settings.bodyIdleMs, 'the value')
  if (json) assertJsonText(value, 'the value')
  await ctx.store.put(key, value, {json, ...(ttlMs === undefined ? {} : {ttlMs}), ...(schema === undefined ? {} : {schema})})
  sendJson(ctx.res, 200, {...doc, valueBytes: value.length, json, ttlMs: ttlMs ?? null, schema: schema ?? null})
}

/** DELETE /kv/{key}. */
export async function deleteKey(ctx: RequestContext): Promise<void> {
  ctx.query.only(['key-encoding'])
  const {key, doc} = keyOf(ctx)
  const live = (await ctx.store.get(key)) !== undefined
  if (live) await ctx.store.delete(key)
  sendJson(ctx.res, 200, {...doc, deleted: live})
}
