/**
 * Routing: a path (exact, or a prefix such as `/kv/` whose remainder is the
 * key) and a method to a handler. An unknown path is 404 NOT_FOUND; a known
 * path with another method is 405 with an `Allow` header and the allowed
 * methods in the error body. HEAD is answered by the GET handler (Node sends
 * no body for HEAD). Write routes answer 405 on a server that only reads,
 * naming its role (and, on a replica, the replica it follows).
 */
import {ErrorCode} from '../errors.js'
import {HttpError} from './http-error.js'
import type {Handler} from './context.js'
import type {ServerRole} from './store-handle.js'

/** One route: a path or prefix, and its handlers by method. */
export interface Route {
  /** Exact path, or a prefix ending in "/" when `prefix` is true. */
  readonly path: string
  readonly prefix?: boolean
  /** Label in metrics (the path without the key). */
  readonly label: string
  readonly methods: Readonly<Record<string, Handler>>
  /** Methods that write: refused on a read-only server. */
  readonly writes?: readonly string[]
}

/** A matched route. */
export interface Match {
  readonly route: Route
  readonly handler: Handler
  /** The path's part after the prefix. */
  readonly rest: string
}

/** Finds the handler of `method` `path`; throws 404 or 405. */
export function route(routes: readonly Route[], method: string, path: string, role: {readonly readOnly: boolean; readonly role: ServerRole; readonly source?: string}): Match {
  const r = routes.find((x) => (x.prefix === true ? path.startsWith(x.path) && path.length > x.path.length : path === x.path))
  if (r === undefined) {
    const keyless = routes.find((x) => x.prefix === true && path === x.path)
    throw new HttpError(404, ErrorCode.NOT_FOUND, keyless ? `${path} needs a key: ${path}{key}` : `no endpoint ${path}`, 'see the endpoint list in strata serve --help')
  }
  const m = method === 'HEAD' ? 'GET' : method
  const handler = r.methods[m]
  const allowed = Object.keys(r.methods)
  if (handler === undefined) throw methodNotAllowed(method, r, allowed)
  if (role.readOnly && r.writes?.includes(m)) {
    const what = role.source === undefined ? role.role : `a ${role.role} of ${role.source}`
    throw new HttpError(405, ErrorCode.INVALID_ARGUMENT, `${method} ${r.label} writes, and this server is ${what}: it only reads`, 'send writes to the primary server', {
      role: role.role,
      ...(role.source === undefined ? {} : {source: role.source}),
      allowed: allowed.filter((x) => !r.writes?.includes(x)),
    })
  }
  return {route: r, handler, rest: r.prefix === true ? path.slice(r.path.length) : ''}
}

function methodNotAllowed(method: string, r: Route, allowed: string[]): HttpError {
  return new HttpError(405, ErrorCode.INVALID_ARGUMENT, `${r.label} does not take ${method}`, `use ${allowed.join(', ')}`, {allowed})
}
