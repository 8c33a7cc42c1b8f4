/**
 * POST /bulk: many writes in one request, applied by the NDJSON importer of
 * `put --batch` (src/bulk) with the same per-chunk atomicity: lines are
 * applied in chunks of `?chunk=N` records (default 1000); each chunk is
 * validated whole before any of it is written, and each shard's part of a
 * chunk is one atomic write. A bad line stops the load: 400 with the
 * importer's error fields (appliedLines, resumeFromLine, applied); nothing of
 * the bad line's chunk is written, the chunks before it are, durably.
 *
 * The body is, by Content-Type:
 *   application/json   one JSON object {"key": value, ...}: a string value is
 *                      stored as its UTF-8 bytes, any other JSON value as
 *                      JSON text (marked JSON). Read whole, at most the
 *                      body limit (413 above); its members are the lines.
 *   anything else      NDJSON lines exactly as `put --batch` takes them,
 *                      streamed: no total limit, each line at most the
 *                      importer's line limit.
 * Answers 200 with {"puts", "deletes", "expired", "lines", "chunks"} once
 * every chunk is durable under --sync.
 */
import {Readable} from 'node:stream'
import {DEFAULT_CHUNK_RECORDS, importNdjson} from '../bulk/import-ndjson.js'
import {encodingParam} from './key-path.js'
import {badRequest} from './http-error.js'
import {bodyStream, readBody} from './request-body.js'
import {sendJson, type RequestContext} from './context.js'

/** POST /bulk. */
export async function postBulk(ctx: RequestContext): Promise<void> {
  const q = ctx.query.only(['chunk', 'key-encoding', 'value-encoding'])
  const chunkRecords = q.integer('chunk', 1) ?? DEFAULT_CHUNK_RECORDS
  const encodings = {key: encodingParam(q, 'key-encoding'), value: encodingParam(q, 'value-encoding')}
  const type = (ctx.req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase()
  const input = type === 'application/json'
    ? Readable.from(objectLines(await readBody(ctx.req, ctx.settings.maxBodyBytes, ctx.settings.bodyIdleMs)))
    : bodyStream(ctx.req, ctx.settings.bodyIdleMs)
  const result = await importNdjson(ctx.store, input, {chunkRecords, encodings})
  sendJson(ctx.res, 200, result)
}

/** The members of a JSON object body as NDJSON lines, one per member in order. */
function* objectLines(body: Buffer): Generator<string> {
  let doc: unknown
  try {
    doc = JSON.parse(body.toString('utf8'))
  } catch (err) {
    throw badRequest(`the body is not valid JSON (${(err as Error).message})`, 'send a JSON object {"key": "value", ...}, or NDJSON lines with another Content-Type')
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw badRequest('the body must be a JSON object {"key": "value", ...}')
  for (const [key, value] of Object.entries(doc)) {
    yield JSON.stringify(typeof value === 'string' ? {key, value} : {key, value, valueEncoding: 'json'}) + '\n'
  }
}
