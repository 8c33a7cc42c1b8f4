/**
 * Every object key of a replica, built and parsed here and nowhere else
 * (the data directory's names live in src/layout/names.ts).
 *
 *   REPLICA                      the identity: which store this replica belongs to (JSON)
 *   LEASE                        the running replicator (JSON, written only if absent)
 *   HEAD                         the id of the newest cut, a hint ("000000000042\n")
 *   cuts/<id>.json               a cut descriptor, written last (replica-format.ts)
 *   data/<shard folder>/<name>   a table or manifest, e.g. data/shard-0003.g2/000017.sst
 *   data/<shard folder>/<wal>.<start>-<end>   bytes [start, end) of a WAL
 *   data/schemas/<file>          a value-schema version file
 *   restores/<token>.json        a running restore (JSON), which retention honours
 *   retention/PENDING            objects no cut uses, and since when (JSON)
 *
 * Tables and manifests are immutable and their file numbers are never
 * reused within a shard folder of one generation, so a data key names one
 * content for the life of the store; a WAL range names its bytes by offset.
 */
import {ErrorCode, StrataError} from '../errors.js'

export const IDENTITY_KEY = 'REPLICA'
export const LEASE_KEY = 'LEASE'
export const HEAD_KEY = 'HEAD'
export const CUTS_PREFIX = 'cuts/'
export const DATA_PREFIX = 'data/'
export const RESTORES_PREFIX = 'restores/'
export const PENDING_KEY = 'retention/PENDING'

const ID_DIGITS = 12

/** The id of the n-th cut of a replica (n ≥ 1): 12 digits, so key order is cut order. */
export function cutId(n: number): string {
  return String(n).padStart(ID_DIGITS, '0')
}

/** The number of cut id `id`, or undefined if it is not one. */
export function parseCutId(id: string): number | undefined {
  return /^\d{12}$/.test(id) && Number(id) > 0 ? Number(id) : undefined
}

export function cutKey(id: string): string {
  return `${CUTS_PREFIX}${id}.json`
}

/** The cut id of a descriptor's key, or undefined for other keys. */
export function parseCutKey(key: string): string | undefined {
  const m = /^cuts\/(\d{12})\.json$/.exec(key)
  return m && parseCutId(m[1]) !== undefined ? m[1] : undefined
}

/** The key of the immutable store file at `storePath` (shard-0003.g2/000017.sst, schemas/<file>). */
export function fileKey(storePath: string): string {
  return `${DATA_PREFIX}${storePath}`
}

/** The key of bytes [start, end) of the WAL at `storePath` (e.g. shard-0000/000004.wal). */
export function walRangeKey(storePath: string, start: number, end: number): string {
  return `${DATA_PREFIX}${storePath}.${start}-${end}`
}

export function restoreLeaseKey(token: string): string {
  return `${RESTORES_PREFIX}${token}.json`
}

/** The cut id HEAD's contents name; CORRUPTION if they name none. */
export function parseHead(bytes: Uint8Array, url: string): number {
  const text = Buffer.from(bytes).toString('utf8').trim()
  const n = parseCutId(text)
  if (n === undefined) throw new StrataError(ErrorCode.CORRUPTION, `${url}: ${HEAD_KEY} does not name a cut (${JSON.stringify(text.slice(0, 40))})`, {file: HEAD_KEY})
  return n
}
