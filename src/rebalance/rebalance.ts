/**
 * `shard-rebalance`: changes a store's shard count from N to M in place,
 * moving only the records whose shard changes, crash-safe and restartable,
 * and proves by digest that the data is unchanged.
 *
 * Under the writer lock, marked "shard-rebalance" in LOCK:
 *  1. plan (plan.ts): every record read once, memtables included; damage
 *     fails here, before anything is written;
 *  2. flush: every old shard's memtable goes to tables (logically neutral),
 *     so the old generation is all tables and its WAL records are in them;
 *  3. journal (journal.ts): the plan, written before the first new folder;
 *  4. copy (build-target.ts): each shard of generation g+1 built from
 *     scratch, recorded complete in the journal once durable, and read back
 *     at once, record by record against the plan's (prove-built.ts);
 *  5. verify (prove.ts): the new generation's digest, each shard opened
 *     through the engine and counted from step 4's proof, or else read
 *     (a kept shard whose old tables are provably the ones the plan read:
 *     only its new tables), compared with the old one's; a mismatch
 *     aborts (CORRUPTION), nothing committed;
 *  6. switch, THE COMMIT POINT: STORE is replaced atomically with M shards
 *     and generation g+1. Before it the old generation is the store,
 *     untouched; after it the new one is;
 *  7. cleanup (settle.ts): the old generation's folders, then the journal.
 *
 * Steps 1, 4 and 5 run on two threads where they can (peer.ts).
 *
 * Killed anywhere, it is finished by `--resume` (or the same command again),
 * which rebuilds the targets not recorded complete, or thrown away before
 * the commit point by `--abort`. After the commit point both finish the
 * cleanup, as does the next writer that opens the store.
 */
import {ErrorCode, StrataError, invalidArgument, ioError} from '../errors.js'
import type {FileSystem} from '../vfs/fs.js'
import {nodeFileSystem} from '../vfs/node-fs.js'
import {MAX_SHARDS, readDescriptor, writeDescriptor, type StoreDescriptor} from '../store/descriptor.js'
import {acquireWriterLock} from '../store/lock.js'
import {cleanDeadPins} from '../cut/pin-cleaner.js'
import {isCommitted, readJournal, removeJournal, unfinishedRebalance, writeJournal, type Journal} from './journal.js'
import {removeOtherGenerations} from './generations.js'
import {CURRENT_FILE, joinPath, shardDirName} from '../layout/names.js'
import {finishCleanup} from './settle.js'
import {expectedFraction, readPlan, type Plan} from './plan.js'
import {buildTarget, type BuiltTarget, type KeptShard} from './build-target.js'
import {proveNewGeneration} from './prove.js'
import {proveBuilt} from './prove-built.js'
import type {Sum256} from '../digest/sum256.js'
import {OldGeneration} from './old-generation.js'
import {Peer} from './peer.js'
import {outcome, type RebalanceProgress, type RebalanceReport} from './report.js'

export type {RebalanceReport, RebalanceProgress} from './report.js'

/** Options of `rebalance`. */
export interface RebalanceOptions {
  /** The new shard count, 1..1024. Optional with `resume` or `abort` (the journal's is used). */
  readonly shards?: number
  /** Compute the exact plan from the data and write nothing. */
  readonly dryRun?: boolean
  /** Finish an interrupted rebalance. */
  readonly resume?: boolean
  /** Throw away an unfinished rebalance (before its commit point). */
  readonly abort?: boolean
  /** How long to wait for the writer lock. Default 0. */
  readonly lockTimeoutMs?: number
  readonly fs?: FileSystem
  /** Clock for the instant expiry is judged at. */
  readonly now?: () => number
  readonly onProgress?: (p: RebalanceProgress) => void
  /** @internal How often progress is recorded in the journal, ms (default 250; 0: after every new shard). */
  readonly journalEveryMs?: number
}

/** How often a run records its progress in the journal. */
const PROGRESS_MS = 250

/** The mark a rebalance leaves in LOCK, so that a blocked writer's BUSY names it. */
export const LOCK_HOLDER = 'shard-rebalance'

/** Changes the shard count of the store in `dir`; see the file comment. */
export async function rebalance(dir: string, options: RebalanceOptions = {}): Promise<RebalanceReport> {
  const fs = options.fs ?? nodeFileSystem
  const m = options.shards
  if (m !== undefined && !(Number.isInteger(m) && m >= 1 && m <= MAX_SHARDS)) {
    throw invalidArgument(`shard count must be an integer from 1 to ${MAX_SHARDS}, got ${m}`, 'pass --shards with a number from 1 to 1024')
  }
  if (options.abort === true && (options.resume === true || options.dryRun === true)) throw invalidArgument('--abort cannot be combined with --resume or --dry-run')
  if (m === undefined && options.abort !== true && options.resume !== true) throw invalidArgument('the new shard count is missing', 'pass --shards M')
  readDescriptor(fs, dir) // NOT_A_STORE before a lock is taken
  if (options.dryRun === true) return dryRun(fs, dir, m, options)
  const lock = await acquireWriterLock(fs, dir, options.lockTimeoutMs ?? 0, LOCK_HOLDER)
  try {
    const desc = readDescriptor(fs, dir)
    cleanDeadPins(fs, dir)
    return await underLock(fs, dir, desc, m, options)
  } catch (err) {
    throw err instanceof StrataError ? err : ioError('rebalance', dir, err)
  } finally {
    await lock.release()
  }
}

/** The decision tree once the lock is held: abort, cleanup, resume, no-op or a new run. */
async function underLock(fs: FileSystem, dir: string, desc: StoreDescriptor, m: number | undefined, options: RebalanceOptions): Promise<RebalanceReport> {
  const j = readJournal(fs, dir)
  if (options.abort === true) return abort(fs, dir, desc, j)
  if (j !== undefined && isCommitted(j, desc)) {
    finishCleanup(fs, dir, desc)
    if (m === undefined || m === desc.shardCount) return outcome('cleaned', j.from, j.to, {message: `the rebalance from ${j.from} to ${j.to} shards was committed; its cleanup is finished`})
  } else if (j !== undefined) {
    if (j.from !== desc.shardCount || j.fromGeneration !== desc.shardGeneration || j.toGeneration !== j.fromGeneration + 1) {
      throw new StrataError(ErrorCode.CORRUPTION, `the rebalance journal (${j.from} shards of generation ${j.fromGeneration} to ${j.to}) does not match STORE (${desc.shardCount} shards of generation ${desc.shardGeneration})`, {file: dir, hint: `throw it away with: strata shard-rebalance --dir ${dir} --abort`})
    }
    if (m !== undefined && m !== j.to) throw unfinishedRebalance(dir, j)
    return run(fs, dir, desc, j, true, options)
  }
  if (m === undefined) return outcome('none', desc.shardCount, desc.shardCount, {message: 'there is no unfinished shard-rebalance to resume'})
  if (m === desc.shardCount) return outcome('noop', m, m, {plan: countOnly(fs, dir, desc, m, options), message: `the store already has ${m} shard${m === 1 ? '' : 's'}: nothing to do`})
  // Folders of other generations without a journal cannot be a rebalance's: a copy of a store moved in, say. Clear them.
  removeOtherGenerations(fs, dir, desc.shardGeneration)
  const fresh: Journal = {from: desc.shardCount, to: m, fromGeneration: desc.shardGeneration, toGeneration: desc.shardGeneration + 1, at: (options.now ?? Date.now)(), complete: []}
  return run(fs, dir, desc, fresh, false, options)
}

/** `--abort`: removes an uncommitted rebalance's new folders, then its journal; after the commit point, finishes the cleanup instead. */
function abort(fs: FileSystem, dir: string, desc: StoreDescriptor, j: Journal | undefined): RebalanceReport {
  if (j === undefined) return outcome('none', desc.shardCount, desc.shardCount, {message: 'there is no unfinished shard-rebalance to abort'})
  if (isCommitted(j, desc)) {
    finishCleanup(fs, dir, desc)
    return outcome('cleaned', j.from, j.to, {message: `the rebalance from ${j.from} to ${j.to} shards was already committed and cannot be aborted; its cleanup is finished`})
  }
  // The journal first says nothing is built, so that a run killed while removing is resumed from scratch or aborted again.
  writeJournal(fs, dir, {...j, complete: []})
  removeOtherGenerations(fs, dir, desc.shardGeneration)
  removeJournal(fs, dir)
  return outcome('aborted', j.from, j.to, {message: `the unfinished rebalance from ${j.from} to ${j.to} shards was thrown away; the store has ${desc.shardCount} shards as before`})
}

/** `--dry-run`: the exact plan from a read-only view of the data; writes nothing, takes no lock. */
async function dryRun(fs: FileSystem, dir: string, m: number | undefined, options: RebalanceOptions): Promise<RebalanceReport> {
  const desc = readDescriptor(fs, dir)
  const j = readJournal(fs, dir)
  const to = m ?? j?.to ?? desc.shardCount
  const plan = countOnly(fs, dir, desc, to, options)
  return outcome(to === desc.shardCount ? 'noop' : 'dry-run', desc.shardCount, to, {plan, dryRun: true})
}

/** The plan's numbers from read-only views of the live generation: nothing collected, nothing written. */
function countOnly(fs: FileSystem, dir: string, desc: StoreDescriptor, to: number, options: RebalanceOptions): Plan {
  const old = OldGeneration.view(fs, dir, desc)
  try {
    return readPlan(old.sources(), to, (options.now ?? Date.now)(), false, (done) => options.onProgress?.(progress('plan', undefined, done, desc.shardCount)))
  } finally {
    old.close()
  }
}

/** A run from the journal `j` (new, or found unfinished): flush, read, journal, copy, verify, switch, cleanup. */
async function run(fs: FileSystem, dir: string, desc: StoreDescriptor, j: Journal, resumed: boolean, options: RebalanceOptions): Promise<RebalanceReport> {
  const peer = Peer.start(fs, dir, desc, j.to, j.at)
  try {
    return await runOn(fs, dir, desc, j, resumed, options, peer)
  } finally {
    await peer?.close()
  }
}

/** `run` with the other thread `peer` (when there is one) doing its share of the read, the copy and the proof. */
async function runOn(fs: FileSystem, dir: string, desc: StoreDescriptor, j: Journal, resumed: boolean, options: RebalanceOptions, peer: Peer | undefined): Promise<RebalanceReport> {
  const report = (p: RebalanceProgress): void => options.onProgress?.(p)
  const old = OldGeneration.writer(fs, dir, desc)
  let plan: Plan
  const targets: RebalanceTargetWork = {bytesWritten: 0, linkedTables: 0, copiedTables: 0, built: 0, tombstones: 0}
  const next: StoreDescriptor = {...desc, shardCount: j.to, shardGeneration: j.toGeneration}
  const kept: (KeptShard | undefined)[] = []
  let provable: (KeptShard | undefined)[] = []
  const built: (Sum256 | undefined)[] = []
  try {
    // The read comes before the flush (memtables are read with the tables), so that damage fails the run with nothing written.
    const readTables = old.tableNumbers()
    const onShard = (done: number): void => report(progress('plan', undefined, done, j.from))
    plan = peer === undefined ? readPlan(old.sources(), j.to, j.at, true, onShard) : await peer.read(old.sources(), onShard)
    report(progress('flush', undefined, 0, j.from))
    old.flush()
    if (!resumed) writeJournal(fs, dir, j)
    let recorded = Date.now()
    // A target the journal records is rebuilt anyway if its folder is not whole (defence against a journal outliving its folders).
    const complete = new Set(j.complete.filter((t) => t < j.to && fs.exists(joinPath(dir, shardDirName(t, j.toGeneration), CURRENT_FILE))))
    let moved = {keys: 0, bytes: 0}
    let done = 0
    for (let t = 0; t < Math.min(j.from, j.to); t++) kept[t] = old.kept(t)
    // The proof may count a kept shard from the plan's sums only if its tables are the ones the plan read: not if the flush added one.
    provable = kept.map((k, t) => (k !== undefined && sameNumbers(k.manifest.tables.map((m) => m.fileNumber), readTables[t]) ? k : undefined))
    const finished = (t: number, built: BuiltTarget | undefined): void => {
      if (built !== undefined) {
        targets.bytesWritten += built.bytesWritten
        targets.linkedTables += built.linkedTables
        targets.copiedTables += built.copiedTables
        targets.tombstones += built.tombstones
        targets.built++
        complete.add(t)
        // Progress is recorded at most every PROGRESS_MS (three syncs each); what is not recorded is rebuilt by a resume.
        if (Date.now() - recorded >= (options.journalEveryMs ?? PROGRESS_MS)) {
          writeJournal(fs, dir, {...j, complete: [...complete].sort((a, b) => a - b)})
          recorded = Date.now()
        }
      }
      const into = movedInto(plan, t)
      moved = {keys: moved.keys + into.keys, bytes: moved.bytes + into.bytes}
      report(progress('copy', {plan, moved}, ++done, j.to))
    }
    const all = [...Array(j.to).keys()]
    // Shared targets (new shards of a growing store) go to whichever thread is free first (peer.ts).
    const shared = all.filter((t) => peer?.shared(t) === true)
    const theirs = all.filter((t) => peer?.holds(t) === true && !shared.includes(t))
    for (const t of [...theirs, ...shared]) if (complete.has(t)) finished(t, undefined)
    const claimable = shared.filter((t) => !complete.has(t))
    // The other thread builds its targets meanwhile; its reports are taken once this thread's are built.
    const elsewhere = peer?.build(next, theirs.filter((t) => !complete.has(t)).map((t) => ({shard: t, kept: kept[t], provable: provable[t] !== undefined})), claimable, (b) => finished(b.shard, b))
    elsewhere?.catch(() => undefined)
    const buildHere = (t: number): void => {
      const b = buildTarget(fs, dir, next, t, kept[t], plan.movedIn[t], t < j.from ? plan.movedOut[t] : [])
      // Proved now, while its records are at hand, on the thread that built it (prove-built.ts).
      built[t] = proveBuilt(fs, dir, next, t, provable[t], plan, j.at)
      finished(t, b)
      // The records of a finished target are no longer needed.
      plan.movedIn[t] = []
    }
    for (const t of all) {
      if (peer?.holds(t) === true || shared.includes(t)) continue
      if (complete.has(t)) finished(t, undefined)
      else buildHere(t)
    }
    for (let t = peer?.claim(claimable); t !== undefined; t = peer?.claim(claimable)) buildHere(t)
    for (const t of shared) plan.movedIn[t] = []
    await elsewhere
  } finally {
    old.close()
  }
  report(progress('verify', undefined, 0, j.to))
  const after = await proveNewGeneration(fs, dir, next, j.at, plan, provable, desc.shardGeneration, built, peer)
  report(progress('switch', undefined, 0, 1))
  // THE COMMIT POINT: STORE names M shards of generation g+1.
  writeDescriptor(fs, dir, next)
  report(progress('cleanup', undefined, 0, 1))
  finishCleanup(fs, dir, next)
  return outcome('rebalanced', j.from, j.to, {plan, dryRun: false, resumed, digestBefore: plan.digest, digestAfter: after.digest, work: targets, generation: j.toGeneration})
}

/** The live records and their key + value bytes that move into target `t` (from the plan's matrix). */
function movedInto(plan: Plan, t: number): {keys: number; bytes: number} {
  let keys = 0
  let bytes = 0
  for (let s = 0; s < plan.from; s++) {
    if (s === t) continue
    keys += plan.matrix.keys[s][t]
    bytes += plan.matrix.bytes[s][t]
  }
  return {keys, bytes}
}

/** True if `a` and `b` hold the same numbers (each list without repeats). */
function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  const inB = new Set(b)
  return a.length === b.length && a.every((n) => inB.has(n))
}

/** What building the targets did. */
export interface RebalanceTargetWork {
  bytesWritten: number
  linkedTables: number
  copiedTables: number
  built: number
  tombstones: number
}

function progress(phase: RebalanceProgress['phase'], copy: {plan: Plan; moved: {keys: number; bytes: number}} | undefined, done: number, total: number): RebalanceProgress {
  return {
    phase,
    done,
    total,
    keysMoved: copy?.moved.keys ?? 0,
    bytesMoved: copy?.moved.bytes ?? 0,
    keysToMove: copy?.plan.keysMoved ?? 0,
    bytesToMove: copy?.plan.bytesMoved ?? 0,
  }
}

export {expectedFraction}
