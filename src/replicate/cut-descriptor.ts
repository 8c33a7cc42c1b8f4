/**
 * A cut descriptor: the JSON object `cuts/<id>.json` of a replica, written
 * after every object it lists, so a cut exists whole or not at all. Defined
 * in formats/README.md ("Replicas"). Decoding checks every field: a
 * descriptor that does not parse, or names a path outside a store's layout,
 * is CORRUPTION naming it.
 */
import {ErrorCode, StrataError} from '../errors.js'
import {isShardDirName, parseFileName, parseSchemaFileName, parseShardDir, SCHEMAS_DIR} from '../layout/names.js'
import {cutKey} from './keys.js'

export const CUT_FORMAT = 'strata-cut'
export const CUT_VERSION = 1

/** One object of a cut: `size` bytes at `offset` of the store file `path`. */
export interface CutObject {
  readonly key: string
  /** The store file it belongs to, relative to the data directory (shard-0000/000004.sst). */
  readonly path: string
  /** Where in that file its bytes go: 0 except for WAL ranges. */
  readonly offset: number
  readonly size: number
  /** SHA-256 of its bytes, 64 lowercase hex digits. */
  readonly sha256: string
}

/** One shard at the cut. */
export interface CutShard {
  readonly shard: number
  readonly manifestNumber: number
  /** 0 when the shard has no WAL. */
  readonly walNumber: number
  readonly walLength: number
  readonly lastSeq: number
  /**
   * The shard's digest at the cut, its live records, and how many of those
   * carry an expiry (src/replicate/cut-digest.ts). Absent in cuts written
   * before they were recorded: the next cut then digests the shard in full.
   */
  readonly digest?: string
  readonly records?: number
  readonly expiring?: number
}

/** The STORE fields a restore writes back. */
export interface CutStoreFields {
  readonly formatVersion: number
  readonly shardCount: number
  readonly hashId: number
  readonly compression: number
  readonly shardGeneration: number
  readonly blockSize: number
}

export interface CutDescriptor {
  readonly format: typeof CUT_FORMAT
  readonly version: number
  readonly id: string
  /** The identity of the store it is a cut of (src/replicate/store-id.ts). */
  readonly storeId: string
  /** When the cut was taken, ms since the epoch, and the same as ISO-8601. */
  readonly takenAt: number
  readonly time: string
  readonly store: CutStoreFields
  readonly shards: readonly CutShard[]
  /** The store digest at the cut, judged at `digestAt` (= takenAt), and its record count. */
  readonly digest: string
  readonly digestAt: number
  readonly records: number
  /** Sum of the objects' sizes. */
  readonly bytes: number
  readonly objects: readonly CutObject[]
}

/** Whether `p` is a path a store file may have: a shard folder's file, or a schema version. */
export function isStorePath(p: string): boolean {
  const parts = p.split('/')
  if (parts.length !== 2) return false
  if (parts[0] === SCHEMAS_DIR) return parseSchemaFileName(parts[1]) !== undefined
  return isShardDirName(parts[0]) && parseFileName(parts[1]) !== undefined
}

export function encodeCut(d: CutDescriptor): Buffer {
  return Buffer.from(JSON.stringify(d, null, 1) + '\n', 'utf8')
}

/** Decodes the descriptor of cut `id` read from `url`; see the file comment. */
export function decodeCut(bytes: Uint8Array, id: string, url: string): CutDescriptor {
  const where = `${url}: cut descriptor ${cutKey(id)}`
  const bad = (what: string): StrataError => new StrataError(ErrorCode.CORRUPTION, `${where} ${what}`, {file: cutKey(id), hint: 'restore another cut (strata restore --list)'})
  let d: any
  try {
    d = JSON.parse(Buffer.from(bytes).toString('utf8'))
  } catch {
    throw bad('is not valid JSON')
  }
  if (typeof d !== 'object' || d === null || d.format !== CUT_FORMAT) throw bad('is not a strata cut descriptor')
  if (d.version !== CUT_VERSION) {
    if (Number.isInteger(d.version) && d.version > CUT_VERSION) throw new StrataError(ErrorCode.UNSUPPORTED, `${where} has version ${d.version}, newer than this strata reads`, {hint: 'upgrade strata'})
    throw bad(`has a bad version`)
  }
  const int = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0
  const hex = (v: unknown): boolean => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v)
  if (d.id !== id || typeof d.storeId !== 'string' || !int(d.takenAt) || typeof d.time !== 'string') throw bad('has a bad id, store id or time')
  const s = d.store
  if (typeof s !== 'object' || s === null || !['formatVersion', 'shardCount', 'hashId', 'compression', 'shardGeneration', 'blockSize'].every((f) => int(s[f])) || s.shardCount < 1) throw bad('has bad store fields')
  if (!Array.isArray(d.shards) || d.shards.length !== s.shardCount) throw bad('does not list every shard')
  d.shards.forEach((sh: any, i: number) => {
    if (typeof sh !== 'object' || sh === null || sh.shard !== i || !['manifestNumber', 'walNumber', 'walLength', 'lastSeq'].every((f) => int(sh[f]))) throw bad(`has a bad shard ${i}`)
    if (sh.digest !== undefined || sh.records !== undefined || sh.expiring !== undefined) {
      if (!hex(sh.digest) || !int(sh.records) || !int(sh.expiring) || sh.expiring > sh.records) throw bad(`has a bad digest for shard ${i}`)
    }
  })
  if (!hex(d.digest) || !int(d.digestAt) || !int(d.records) || !int(d.bytes) || !Array.isArray(d.objects)) throw bad('has a bad digest, count or object list')
  let total = 0
  for (const o of d.objects) {
    if (typeof o !== 'object' || o === null || typeof o.key !== 'string' || typeof o.path !== 'string' || !isStorePath(o.path) || !int(o.offset) || !int(o.size) || !hex(o.sha256)) {
      throw bad(`has a bad object entry ${JSON.stringify(o).slice(0, 80)}`)
    }
    const folder = parseShardDir(o.path.split('/')[0])
    if (folder !== undefined && (folder.generation !== s.shardGeneration || folder.shard >= s.shardCount)) throw bad(`names ${o.path}, outside the cut's shards`)
    total += o.size
  }
  if (total !== d.bytes) throw bad(`says ${d.bytes} bytes but its objects hold ${total}`)
  return d as CutDescriptor
}

/** What a listing or a report says of a cut. */
export interface CutFacts {
  readonly id: string
  readonly takenAt: number
  readonly time: string
  readonly shards: number
  readonly records: number
  readonly digest: string
  /** Objects and bytes the cut lists. */
  readonly objects: number
  readonly bytes: number
}

export function cutFacts(d: CutDescriptor): CutFacts {
  return {id: d.id, takenAt: d.takenAt, time: d.time, shards: d.shards.length, records: d.records, digest: d.digest, objects: d.objects.length, bytes: d.bytes}
}
