/**
 * `serve`: the HTTP server over a StoreHandle (node:http only). Each request:
 * authenticate (auth.ts), route (router.ts), run the handler with the store
 * of that moment (store-handle.ts), answer errors as JSON (http-error.ts),
 * record metrics (metrics.ts). Nothing a client sends can stop the server:
 * every handler failure is answered, malformed requests and timeouts are
 * answered by clientError, and the connection of a request whose body was
 * not read to the end is closed after the answer.
 *
 * Timeouts: `headersTimeoutMs` for the request line and headers (a client
 * sending them byte by byte is cut off), `bodyIdleMs` between pieces of a
 * body, `requestTimeoutMs` for a whole request; Node checks the first and
 * last every CHECK_INTERVAL_MS.
 */
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http'
import type {AddressInfo, Socket} from 'node:net'
import {errorResponse, HttpError, badRequest} from './http-error.js'
import {ErrorCode} from '../errors.js'
import {route, type Route} from './router.js'
import {routes} from './routes.js'
import {Metrics} from './metrics.js'
import {Query} from './query.js'
import {sendJson, type HandlerSettings} from './context.js'
import type {BearerAuth} from './auth.js'
import type {StoreHandle, StoreLease} from './store-handle.js'
import type {ListenAddress} from './listen-address.js'

/** How often Node checks the header and request timeouts. */
const CHECK_INTERVAL_MS = 250

/** Options of `startServer`. */
export interface ServerOptions extends HandlerSettings {
  readonly listen: ListenAddress
  readonly auth?: BearerAuth
  readonly headersTimeoutMs: number
  readonly requestTimeoutMs: number
}

/** A running server. */
export interface RunningServer {
  /** The address bound (the real port when 0 was asked for). */
  readonly address: {readonly host: string; readonly port: number}
  /** Stops accepting, lets in-flight requests finish, then closes the store (which syncs and releases the lock). */
  stop(): Promise<void>
}

/** Starts serving `handle` on `options.listen`; resolves once listening. */
export async function startServer(handle: StoreHandle, options: ServerOptions): Promise<RunningServer> {
  const metrics = new Metrics()
  const table = routes(metrics)
  let stopping = false
  let idle: (() => void) | undefined
  const server = createServer({connectionsCheckingInterval: CHECK_INTERVAL_MS, keepAliveTimeout: 5000}, (req, res) => {
    metrics.inFlight++
    if (stopping) res.shouldKeepAlive = false
    void answer(req, res, handle, options, table, metrics).finally(() => {
      metrics.inFlight--
      if (stopping) {
        server.closeIdleConnections()
        if (metrics.inFlight === 0) idle?.()
      }
    })
  })
  server.headersTimeout = options.headersTimeoutMs
  server.requestTimeout = options.requestTimeoutMs
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => answerClientError(err, socket))
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.listen.port, options.listen.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const bound = server.address() as AddressInfo
  return {
    address: {host: bound.address, port: bound.port},
    async stop() {
      if (stopping) return
      stopping = true
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeIdleConnections()
      if (metrics.inFlight > 0) await new Promise<void>((resolve) => (idle = resolve))
      server.closeAllConnections()
      await closed
      await handle.close()
    },
  }
}

/** Bytes read and written on each connection as of its last answered request. */
const counted = new WeakMap<Socket, {read: number; written: number}>()

/** Answers one request; never throws. */
async function answer(req: IncomingMessage, res: ServerResponse, handle: StoreHandle, options: ServerOptions, table: readonly Route[], metrics: Metrics): Promise<void> {
  const started = process.hrtime.bigint()
  const socket = req.socket
  let label = 'unmatched'
  let lease: StoreLease | undefined
  try {
    setHeaders(res, handle.responseHeaders?.())
    options.auth?.check(req)
    const url = req.url ?? ''
    if (!url.startsWith('/')) throw badRequest(`the request target ${JSON.stringify(url.slice(0, 100))} is not a path`)
    const q = url.indexOf('?')
    const path = q === -1 ? url : url.slice(0, q)
    const match = route(table, req.method ?? '', path, handle)
    label = match.route.label
    const query = new Query(q === -1 ? '' : url.slice(q + 1))
    lease = handle.acquire()
    setHeaders(res, handle.responseHeaders?.(lease.store))
    await match.handler({req, res, path, query, rest: match.rest, store: lease.store, handle, settings: options})
  } catch (err) {
    fail(req, res, err)
  } finally {
    lease?.release()
  }
  if (!res.writableFinished && !res.destroyed) await new Promise<void>((resolve) => res.once('close', resolve).once('finish', resolve))
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  // A connection's requests are answered one at a time: its byte counts
  // since the previous answer belong to this request (headers included).
  const before = counted.get(socket) ?? {read: 0, written: 0}
  const now = {read: socket.bytesRead, written: socket.bytesWritten}
  counted.set(socket, now)
  metrics.observe(label, req.method ?? '', res.statusCode, seconds, now.read - before.read, now.written - before.written)
}

/** Sets `headers` (a replica's, naming the cut served) on the response. */
function setHeaders(res: ServerResponse, headers: Record<string, string> | undefined): void {
  for (const [name, value] of Object.entries(headers ?? {})) res.setHeader(name, value)
}

/** Answers `err` as JSON, or cuts the connection when an answer has already started. */
function fail(req: IncomingMessage, res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  const {status, body} = errorResponse(err)
  const headers: Record<string, string> = {}
  if (err instanceof HttpError && status === 405 && Array.isArray(err.fields.allowed)) headers.allow = (err.fields.allowed as string[]).join(', ')
  // The rest of an unread body would be taken for the next request: close
  // instead, but not at once. Node closes the connection as soon as the answer
  // is written (destroySoon); a client still sending its body (a stream over
  // the limit) then gets a reset, often before it reads the answer. So the
  // connection lingers: the answer, then the end of our side, while the rest
  // of the body is read and dropped until the client closes or LINGER_MS pass.
  if (!req.complete) {
    headers.connection = 'close'
    const socket = req.socket
    socket.destroySoon = () => lingerClose(socket)
  }
  sendJson(res, status, body, headers)
}

/** How long a connection closed after an early answer still reads and drops what its client sends. */
const LINGER_MS = 2000

/** Ends our side of `socket` after what is written, drops what arrives, and closes it once the client has closed or LINGER_MS have passed. */
function lingerClose(socket: Socket): void {
  if (socket.destroyed) return
  socket.end()
  const timer = setTimeout(() => socket.destroy(), LINGER_MS).unref()
  socket.once('close', () => clearTimeout(timer))
  socket.once('end', () => socket.destroy())
  socket.on('data', () => {})
  socket.resume()
}

/** A request Node could not parse, or one that timed out: answer if the socket still can, then close it. */
function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable || (socket as Socket & {_httpMessage?: {headersSent?: boolean}})._httpMessage?.headersSent === true) {
    socket.destroy()
    return
  }
  const timeout = err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
  const tooBig = err.code === 'HPE_HEADER_OVERFLOW'
  const status = timeout ? 408 : tooBig ? 431 : 400
  const message = timeout ? 'the request was not received in time' : tooBig ? 'the request headers are too large' : `malformed HTTP request (${err.code ?? 'parse error'})`
  const body = JSON.stringify({error: {code: ErrorCode.INVALID_ARGUMENT, message, hint: null, status}}) + '\n'
  const reason = timeout ? 'Request Timeout' : tooBig ? 'Request Header Fields Too Large' : 'Bad Request'
  socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`)
}
