/**
 * The digest a cut descriptor carries, per shard and in total, computed
 * from the previous cut's where that is exact, so that a run's work grows
 * with what changed since the previous cut, not with the store.
 *
 * A shard's digest at cut C follows from its digest at the previous cut P
 * when C holds the same tables as P and a longer prefix of the same WAL
 * (same manifest number and WAL number, WAL length not shorter), and no
 * record live at P carried an expiry (P's `expiring` is 0). Then the shard
 * at C differs from the shard at P only in the keys written to the WAL
 * bytes [P's length, C's length), and nothing live at P expired since:
 *
 *   digest(C) = digest(P) - sum over those keys of hash(record live at P)
 *                         + sum over those keys of hash(record live at C)
 *
 * modulo 2^256, and the record counts likewise. One decode of the WAL up
 * to C's length gives each such key's newest record at C, and at P when the
 * WAL before P's length holds one; otherwise the record at P is the tables'
 * (the same tables at both cuts), read through a view of them alone. Every other shard, a shard whose previous
 * digest is missing, or one where the delta would touch more than a quarter
 * of the records (a full pass is then cheaper) is digested in full. Either
 * way the result is the digest `digestStore` computes of the cut; restore
 * --verify full recomputes it from scratch and compares.
 */
import type {StoreCut} from '../cut/cut.js'
import {checkHeld} from '../cut/cut-view.js'
import {sumViewShards} from '../digest/view-sums.js'
import {RecordHasher} from '../digest/format.js'
import {Sum256} from '../digest/sum256.js'
import {walFileName} from '../layout/names.js'
import {isLive, type Entry} from '../record/format.js'
import type {Store} from '../api.js'
import {newestVersion, openViewAt} from '../store/open.js'
import type {ViewAt} from '../store/shard-types.js'
import type {FileSystem} from '../vfs/fs.js'
import {readRange} from '../vfs/read-range.js'
import {decodeWal} from '../wal/reader.js'
import {WAL_HEADER_SIZE} from '../wal/format.js'
import type {CutDescriptor, CutShard} from './cut-descriptor.js'

/** One shard's digest at a cut, as its descriptor entry records it. */
export interface CutShardDigest {
  /** 64 lowercase hex digits. */
  readonly digest: string
  readonly records: number
  /** Live records that carry an expiry: while not 0, the next cut digests this shard in full. */
  readonly expiring: number
}

/** How each shard's digest was found: for tests and reports. */
export type ShardDigestMethod = 'same' | 'delta' | 'full'

export interface CutDigest {
  readonly digest: string
  readonly records: number
  readonly shards: readonly CutShardDigest[]
  readonly methods: readonly ShardDigestMethod[]
}

/**
 * The digest of held cut `cut` at its `takenAt`, from `base` (the previous
 * cut) where exact; see the file comment. The shards digested in full start
 * on a worker at once, and on this thread once `startAfter` settles.
 */
export async function digestCut(fs: FileSystem, cut: StoreCut, base: CutDescriptor | undefined, startAfter?: Promise<unknown>): Promise<CutDigest> {
  const at = cut.takenAt
  // A view of the cut's tables alone (each WAL cut to its header): where a key's
  // record at P is, if the WAL before P's length does not hold it.
  const tablesAt: ViewAt[] = cut.shards.map((s) => ({manifestNumber: s.manifestNumber, manifest: s.manifest, walLength: Math.min(s.walLength, WAL_HEADER_SIZE)}))
  let tables: Store | undefined
  try {
    const hasher = new RecordHasher()
    const shards: (CutShardDigest | undefined)[] = []
    const methods: ShardDigestMethod[] = []
    const full: number[] = []
    for (const s of cut.shards) {
      const p = carried(cut, base, s.shard)
      let found: CutShardDigest | undefined
      if (p !== undefined && p.walLength === s.walLength) {
        found = {digest: p.digest!, records: p.records!, expiring: 0}
        methods.push('same')
      } else if (p !== undefined) {
        const w = walDelta(fs, cut, s.shard, p.walLength, s.walLength)
        if (w.now.size <= Math.max(1000, p.records! / 4)) {
          tables ??= openViewAt(cut.pinDir, cut.descriptor, tablesAt, {fs})
          found = delta(p, w, tables, at, hasher)
          methods.push('delta')
        }
      }
      if (found === undefined) {
        full.push(s.shard)
        methods.push('full')
      }
      shards.push(found)
    }
    if (full.length > 0) {
      checkHeld(cut)
      const spec = {dir: cut.pinDir, descriptor: cut.descriptor, at: cut.shards.map((s) => ({manifestNumber: s.manifestNumber, manifest: s.manifest, walLength: s.walLength}))}
      for (const r of await sumViewShards(spec, full, at, {fs, startAfter})) shards[r.shard] = {digest: r.sum.hex(), records: r.records, expiring: r.expiring}
    }
    const total = new Sum256()
    for (const s of shards) total.addHex(s!.digest)
    const done = shards as CutShardDigest[]
    return {digest: total.hex(), records: done.reduce((n, s) => n + s.records, 0), shards: done, methods}
  } finally {
    await tables?.close()
  }
}

/** P's entry for `shard`, if C can follow from it (see the file comment). */
function carried(cut: StoreCut, base: CutDescriptor | undefined, shard: number): CutShard | undefined {
  if (base === undefined) return undefined
  const d = cut.descriptor
  if (base.store.shardGeneration !== d.shardGeneration || base.store.shardCount !== d.shardCount || base.store.hashId !== d.hashId) return undefined
  const p = base.shards[shard]
  const s = cut.shards[shard]
  if (p === undefined || s === undefined || p.digest === undefined || p.records === undefined || p.expiring !== 0) return undefined
  if (p.manifestNumber !== s.manifestNumber || p.walNumber !== s.manifest.walNumber || p.walLength > s.walLength) return undefined
  return p
}

/** The keys written to WAL bytes [from, to): their newest record at C, and at P if the WAL before `from` holds one. */
interface WalDelta {
  /** By the key's latin1 form. */
  readonly now: Map<string, Entry>
  readonly before: Map<string, Entry>
}

/** The WAL delta of `shard` between lengths `from` (P) and `to` (C). */
function walDelta(fs: FileSystem, cut: StoreCut, shard: number, from: number, to: number): WalDelta {
  const s = cut.shards[shard]!
  const name = walFileName(s.manifest.walNumber)
  const wal = decodeWal(readRange(fs, cut.path(shard, name), 0, to), name, s.manifest.lastSeq)
  const now = new Map<string, Entry>()
  for (const batch of wal.batches) {
    if (batch.offset < from) continue
    for (const e of batch.entries) now.set(e.key.toString('latin1'), e)
  }
  const before = new Map<string, Entry>()
  for (const batch of wal.batches) {
    if (batch.offset >= from) break
    for (const e of batch.entries) {
      const k = e.key.toString('latin1')
      if (now.has(k)) before.set(k, e)
    }
  }
  return {now, before}
}

/** digest(P) minus the hashes of the delta's records live at P, plus those live at C (at `at`). */
function delta(p: CutShard, w: WalDelta, tables: Store, at: number, hasher: RecordHasher): CutShardDigest {
  const plus = new Sum256()
  const minus = new Sum256()
  let records = p.records!
  let expiring = 0
  for (const [k, now] of w.now) {
    // No record live at P carried an expiry, so "live at P" is "a put" whatever the instant.
    const old = w.before.get(k) ?? newestVersion(tables, now.key)
    if (old !== undefined && isLive(old, at)) {
      minus.addLatin1(hasher.hash(old))
      records--
    }
    if (isLive(now, at)) {
      plus.addLatin1(hasher.hash(now))
      records++
      if (now.expiresAt !== undefined) expiring++
    }
  }
  plus.addHex(p.digest!)
  const digest = (BigInt(`0x${plus.hex()}`) - BigInt(`0x${minus.hex()}`) + MODULUS) % MODULUS
  return {digest: digest.toString(16).padStart(64, '0'), records, expiring}
}

const MODULUS = 1n << 256n
