/**
 * What a handler is given for one request, and the small helpers that answer
 * it. Handlers throw HttpError or StrataError to fail; server.ts turns that
 * into the JSON error body (http-error.ts).
 */
import type {IncomingMessage, ServerResponse} from 'node:http'
import type {Store} from '../api.js'
import type {StoreHandle} from './store-handle.js'
import type {Query} from './query.js'

/** Limits and modes the handlers need. */
export interface HandlerSettings {
  /** Most records one /scan or /bulk/range response holds. */
  readonly maxRange: number
  /** Most bytes a buffered request body may have (413 above). */
  readonly maxBodyBytes: number
  /** How long a client may pause while sending a body (408 after). */
  readonly bodyIdleMs: number
}

/** One request being handled. */
export interface RequestContext {
  readonly req: IncomingMessage
  readonly res: ServerResponse
  /** The path as sent, still percent-encoded. */
  readonly path: string
  readonly query: Query
  /** The path's part after the route's prefix (the key of /kv/{key}), still percent-encoded. */
  readonly rest: string
  /** The store of this request (leased from the StoreHandle for the whole request). */
  readonly store: Store
  readonly handle: StoreHandle
  readonly settings: HandlerSettings
}

/** A request handler. */
export type Handler = (ctx: RequestContext) => Promise<void>

/** Answers with a JSON document. */
export function sendJson(res: ServerResponse, status: number, doc: unknown, headers: Record<string, string> = {}): void {
  const body = Buffer.from(JSON.stringify(doc) + '\n', 'utf8')
  res.writeHead(status, {'content-type': 'application/json; charset=utf-8', 'content-length': String(body.length), ...headers})
  res.end(body)
}
