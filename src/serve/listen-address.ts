/**
 * Where the server listens: `--listen HOST:PORT` (`[v6]:PORT` for IPv6),
 * port 0 for any free port. Only loopback addresses are allowed without a
 * token: a store served on another interface is open to the network.
 */
import {isIP} from 'node:net'
import {invalidArgument} from '../errors.js'

/** A parsed listen address. */
export interface ListenAddress {
  readonly host: string
  readonly port: number
}

/** The default: loopback only. */
export const DEFAULT_LISTEN = '127.0.0.1:7070'

/** Parses HOST:PORT; INVALID_ARGUMENT when malformed. */
export function parseListen(text: string): ListenAddress {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim())
  const port = m === null ? Number.NaN : Number(m[3])
  if (m === null || port > 65535) throw invalidArgument(`--listen ${JSON.stringify(text)} is not HOST:PORT`, 'for example 127.0.0.1:7070, [::1]:7070, or port 0 for any free port')
  return {host: m[1] ?? m[2], port}
}

/** True for an address that only this machine can reach. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true
  if (isIP(host) === 4) return host.startsWith('127.')
  if (isIP(host) === 6) return host === '::1' || /^::ffff:127\./i.test(host)
  return false
}

/** INVALID_ARGUMENT when `address` is reachable from other machines and no token guards it. */
export function checkExposure(address: ListenAddress, hasToken: boolean): void {
  if (hasToken || isLoopback(address.host)) return
  throw invalidArgument(`refusing to listen on ${address.host} without --token-file: anyone on the network could read and write the store`,
    'give --token-file FILE (clients send Authorization: Bearer <token>), or listen on 127.0.0.1')
}
