/**
 * The verify step of a shard-rebalance: the new generation's digest, at the
 * plan's instant, must equal the old generation's (summed by the plan). What
 * it reads, per shard of the new generation:
 *
 *  - A shard that is new, or kept but not provably unchanged (below): every
 *    record, through the engine (a read-only view pinned to the generation).
 *  - A kept shard (one of both generations) whose old tables are provably the
 *    ones the plan read: only its new tables, fully. It is opened through the
 *    engine (CURRENT, manifest and WAL checked as any open does), and it counts
 *    as "the staying records the plan hashed in the old shard, plus the live
 *    records of the new tables", which is exact when all of these hold, each
 *    checked here (otherwise the shard is read whole):
 *      1. the old shard's records all belong to it over N (the plan checked
 *         `shardOf` for each), so no key of a new table's record is among them
 *         unless the plan saw it leave;
 *      2. the new manifest names every table of the old shard's manifest with
 *         the same number, size, level and sequence range, and each name
 *         reaches the same file (device and inode, `fileId`) as the old one:
 *         a hard link to the bytes the plan read under the same writer lock;
 *         a filesystem without `fileId` (or a copied table) means a full read;
 *      3. the WAL holds no record (its size is its header's);
 *      4. every record of the new tables has a sequence number above the old
 *         shard's last one (so it wins over any older copy of its key), their
 *         keys are distinct, their tombstones are exactly the keys the plan saw
 *         leave the shard, and their puts carry keys that were not the old
 *         shard's (`shardOf` over N is another shard).
 *    Then the merged view is the staying records (each key untouched by a new
 *    record) plus the new tables' live puts, which are the ones hashed here.
 *
 * A table that does not read back, or another digest, throws CORRUPTION after
 * removing the new generation and the journal: nothing is committed.
 */
import {ErrorCode, StrataError} from '../errors.js'
import type {FileSystem} from '../vfs/fs.js'
import {isLive, Kind} from '../record/format.js'
import type {StoreDescriptor} from '../store/descriptor.js'
import {openGeneration, shardVersions} from '../store/open.js'
import type {Store} from '../api.js'
import {TableReader} from '../sstable/reader.js'
import {joinPath, shardDirName, tableFileName} from '../layout/names.js'
import {shardOf} from '../util/hash.js'
import {compareKeys} from '../util/bytes.js'
import {RecordHasher} from '../digest/format.js'
import {Sum256} from '../digest/sum256.js'
import {removeJournal} from './journal.js'
import {removeOtherGenerations} from './generations.js'
import {freshTables} from './prove-built.js'
import type {KeptShard} from './build-target.js'
import type {Plan} from './plan.js'
import type {Run} from './moved-run.js'
import type {PeerTarget, ShardProof} from './peer-wire.js'

/** How the proof read the new generation: shards read whole, and kept shards read as their new tables only. */
export interface ProofReads {
  readonly digest: string
  readonly shardsRead: number
  readonly shardsByNewTables: number
}

/** What proving one shard needs of the plan. */
export type ProofPlan = Pick<Plan, 'from' | 'routed' | 'staying' | 'movedOut'>

/** The other thread of a run, which proves the shards it `proves` (peer.ts). */
export interface ProofPeer {
  proves(t: number): boolean
  prove(next: StoreDescriptor, targets: PeerTarget[]): Promise<ShardProof[]>
}

/**
 * Proves the new generation `next` in `dir` holds what the plan read; see the
 * file comment. `kept[t]`: old shard t as the plan read it, for t kept;
 * `built[t]`: target t's share, proved when this thread built it (absent for
 * a target a resumed run found built). With a `peer`, the shards it proves are
 * proved on its thread, the same way.
 */
export async function proveNewGeneration(fs: FileSystem, dir: string, next: StoreDescriptor, at: number, plan: Plan, kept: readonly (KeptShard | undefined)[], live: number, built: readonly (Sum256 | undefined)[], peer?: ProofPeer): Promise<ProofReads> {
  const refuse = (why: string): StrataError => {
    removeOtherGenerations(fs, dir, live)
    removeJournal(fs, dir)
    return new StrataError(ErrorCode.CORRUPTION, `${why}: nothing was committed and the new generation was removed`, {file: dir, hint: `see what is damaged with: strata verify --dir ${dir}`})
  }
  const theirs = [...Array(next.shardCount).keys()].filter((t) => peer?.proves(t) === true)
  const elsewhere = peer?.prove(next, theirs.map((t) => ({shard: t, kept: kept[t]})))
  // Handled below; this thread may fail first.
  elsewhere?.catch(() => undefined)
  const view = openGeneration(dir, next, {fs})
  const hasher = new RecordHasher()
  const total = new Sum256()
  let shardsRead = 0
  let shardsByNewTables = 0
  const count = (p: {byTables: boolean}): void => {
    if (p.byTables) shardsByNewTables++
    else shardsRead++
  }
  try {
    for (let t = 0; t < next.shardCount; t++) {
      if (peer?.proves(t) === true) continue
      const p = proveShard(fs, dir, next, view, t, kept[t], plan, at, hasher, built[t])
      total.addSum(p.sum)
      count(p)
    }
    const proofs = (await elsewhere) ?? []
    if (proofs.map((p) => p.shard).join() !== theirs.join()) throw new Error(`the rebalance's other thread proved shards ${proofs.map((p) => p.shard).join()}, not ${theirs.join()}`)
    for (const p of proofs) {
      total.addHex(p.sum)
      count(p)
    }
  } catch (err) {
    if (err instanceof StrataError && err.code === ErrorCode.CORRUPTION) throw refuse(`the new shard generation does not read back (${err.message})`)
    throw err
  } finally {
    await view.close()
  }
  const digest = total.hex()
  if (digest !== plan.digest) throw refuse(`the new shard generation's digest ${digest} differs from the old one's ${plan.digest}`)
  return {digest, shardsRead, shardsByNewTables}
}

/**
 * Shard `t`'s share of the new generation's digest, read through `view`:
 * `built` when the thread that built it proved it then (prove-built.ts);
 * from its new tables and the plan's staying sum when the file comment's
 * conditions hold for kept shard `kept`; otherwise from all its records.
 */
export function proveShard(fs: FileSystem, dir: string, next: StoreDescriptor, view: Store, t: number, kept: KeptShard | undefined, plan: ProofPlan, at: number, hasher: RecordHasher, built?: Sum256): {sum: Sum256; byTables: boolean} {
  if (built !== undefined) {
    // Proved record by record when it was built (prove-built.ts); the engine still opens it as any read does.
    shardVersions(view, t).return(undefined)
    return {sum: built, byTables: true}
  }
  const byTables = kept !== undefined && plan.routed[t] ? newTablesSum(fs, dir, next, view, t, kept, plan, at, hasher) : undefined
  if (byTables !== undefined) {
    byTables.addSum(plan.staying[t])
    return {sum: byTables, byTables: true}
  }
  const sum = new Sum256()
  for (const e of shardVersions(view, t)) if (isLive(e, at)) sum.addLatin1(hasher.hash(e))
  return {sum, byTables: false}
}

/**
 * The hash sum of the live records of kept shard `t`'s new tables, read
 * fully, when conditions 2 to 4 of the file comment hold; undefined when one
 * does not (the caller reads the shard whole). Damage in a table throws.
 */
function newTablesSum(fs: FileSystem, dir: string, next: StoreDescriptor, view: Store, t: number, old: KeptShard, plan: ProofPlan, at: number, hasher: RecordHasher): Sum256 | undefined {
  if (fs.fileId === undefined) return undefined
  // The engine opens the shard (CURRENT, manifest, WAL) as any read does; nothing is iterated.
  shardVersions(view, t).return(undefined)
  const shardDir = joinPath(dir, shardDirName(t, next.shardGeneration))
  const fresh = freshTables(fs, shardDir, old)
  if (fresh === undefined) return undefined
  const sum = new Sum256()
  const keys: Buffer[] = []
  const tombstones: Buffer[] = []
  for (const m of fresh.tables) {
    const reader = TableReader.open(fs, joinPath(shardDir, tableFileName(m.fileNumber)))
    try {
      for (const e of reader.entries()) {
        if (e.seq <= old.lastSeq) return undefined
        keys.push(Buffer.from(e.key))
        if (e.kind === Kind.DELETE) tombstones.push(keys[keys.length - 1])
        else if (shardOf(e.key, plan.from) === t) return undefined
        else if (isLive(e, at)) sum.addLatin1(hasher.hash(e))
      }
    } finally {
      reader.close()
    }
  }
  return distinct(keys) && sameKeys(tombstones, plan.movedOut[t] ?? []) ? sum : undefined
}

/** True if no key appears twice (sorts `keys`). */
function distinct(keys: Buffer[]): boolean {
  keys.sort(compareKeys)
  for (let i = 1; i < keys.length; i++) if (compareKeys(keys[i - 1], keys[i]) === 0) return false
  return true
}

/** True if `a` (any order; sorted here) and `b` (key order) hold the same keys. */
function sameKeys(a: Buffer[], b: Run<Buffer>): boolean {
  if (a.length !== b.length) return false
  a.sort(compareKeys)
  let i = 0
  for (const key of b) if (i >= a.length || compareKeys(a[i++], key) !== 0) return false
  return i === a.length
}
