/**
 * `replicate`: ship cuts of a store to a replica (a directory or an S3
 * bucket), one per run, or one every interval with `follow` until `signal`
 * aborts, then one last cut taken after the abort.
 *
 * Before the first cut: the replica's identity (REPLICA) must name this
 * store (its STORE-ID, store-id.ts), or is written if the replica is new;
 * then the replicator's lease (lease.ts) is taken. Each cut is taken with
 * the writer lock held only while taking it (src/cut/take-cut.ts), shipped
 * on top of the newest cut already there (ship.ts), and released; retention
 * (retention.ts) runs after each shipped cut when a policy is given. The
 * source store is only read, apart from its pins, its lock and STORE-ID.
 */
import {ErrorCode, StrataError} from '../errors.js'
import {takeCut} from '../cut/take-cut.js'
import type {StoreCut} from '../cut/cut.js'
import type {Store} from '../api.js'
import {readDescriptor} from '../store/descriptor.js'
import {openObjectStore} from '../objstore/open.js'
import type {ObjectStore} from '../objstore/object-store.js'
import {nodeFileSystem} from '../vfs/node-fs.js'
import type {FileSystem} from '../vfs/fs.js'
import {IDENTITY_KEY, LEASE_KEY, cutId} from './keys.js'
import {acquireLease, leaseBody, LEASE_TTL_MS} from './lease.js'
import {newestCutNumber, readCut} from './cuts.js'
import {applyRetention, type RetentionReport} from './retention.js'
import {shipCut} from './ship.js'
import {cutFacts, type CutFacts} from './cut-descriptor.js'
import {storeIdentity} from './store-id.js'
import type {ProgressCallback} from './transfer.js'

export interface ReplicateOptions {
  readonly fs?: FileSystem
  /** Environment for an s3:// destination's credentials. Default process.env. */
  readonly env?: NodeJS.ProcessEnv
  /** Keep shipping a cut every `intervalMs` until `signal` aborts. */
  readonly follow?: boolean
  readonly intervalMs?: number
  readonly signal?: AbortSignal
  /** How long to wait for the writer lock when taking a cut. Default 10 s. */
  readonly lockTimeoutMs?: number
  /** Retention after each cut: keep the newest `keep`, or those younger than `maxAgeMs`. */
  readonly keep?: number
  readonly maxAgeMs?: number
  /** How long an object no cut uses waits before retention deletes it. Default 10 minutes. */
  readonly graceMs?: number
  readonly leaseTtlMs?: number
  readonly onProgress?: ProgressCallback
  /** Called after each cut is shipped. */
  readonly onCut?: (cut: CutReport) => void | Promise<void>
}

/** One shipped cut. */
export interface CutReport extends CutFacts {
  /** Objects and bytes this run sent for it (what the previous cut lacked). */
  readonly shippedObjects: number
  readonly shippedBytes: number
  readonly retention?: RetentionReport
}

export interface ReplicateReport {
  readonly dir: string
  readonly dest: string
  readonly cuts: readonly CutReport[]
}

export const DEFAULT_GRACE_MS = 10 * 60_000

/**
 * Replicates the store in `source` to `dest`; see the file comment. `source`
 * is a data directory, or a store this process holds open as its writer
 * (its cuts are then taken with `Store.cut()`, under the lock it holds, so
 * a long-running writer can replicate itself).
 */
export async function replicate(source: string | Store, dest: string | ObjectStore, options: ReplicateOptions = {}): Promise<ReplicateReport> {
  const fs = options.fs ?? nodeFileSystem
  const dir = typeof source === 'string' ? source : source.dir
  readDescriptor(fs, dir) // NOT_A_STORE before touching the destination
  const cutNow = typeof source === 'string' ? () => takeCut(dir, {fs, lockTimeoutMs: options.lockTimeoutMs ?? 10_000}) : async () => source.cut()
  const store = typeof dest === 'string' ? await openObjectStore(dest, {env: options.env, fs}) : dest
  const cuts: CutReport[] = []
  try {
    const storeId = storeIdentity(fs, dir)
    await bindIdentity(store, storeId)
    const lease = await acquireLease(store, LEASE_KEY, leaseBody('replicate'), options.leaseTtlMs ?? LEASE_TTL_MS)
    lease.startHeartbeat()
    try {
      const aborted = (): boolean => options.signal?.aborted === true
      for (;;) {
        const stopping = aborted()
        const report = await shipOne(fs, cutNow, store, storeId, options, () => lease.check())
        cuts.push(report)
        await options.onCut?.(report)
        if (options.follow !== true || stopping) break
        // After an abort, one more cut: it holds every write acknowledged before the signal.
        if (!aborted()) await sleep(options.intervalMs ?? 1000, options.signal)
      }
    } finally {
      await lease.release()
    }
  } finally {
    if (typeof dest === 'string') await store.close()
  }
  return {dir, dest: store.url, cuts}
}

/** Takes, ships and releases one cut, then applies retention. */
async function shipOne(fs: FileSystem, cutNow: () => Promise<StoreCut>, store: ObjectStore, storeId: string, options: ReplicateOptions, check: () => void): Promise<CutReport> {
  const newest = await newestCutNumber(store)
  const base = newest === 0 ? undefined : await readCut(store, cutId(newest))
  if (base !== undefined && base.storeId !== storeId) throw otherStore(store, base.storeId)
  const cut = await cutNow()
  let shipped
  try {
    shipped = await shipCut(fs, cut, store, cutId(newest + 1), storeId, base, options.onProgress, check)
  } finally {
    cut.release()
  }
  const retention = options.keep === undefined && options.maxAgeMs === undefined ? undefined : await applyRetention(store, {keep: options.keep, maxAgeMs: options.maxAgeMs, graceMs: options.graceMs ?? DEFAULT_GRACE_MS}, {leaseTtlMs: options.leaseTtlMs})
  return {
    ...cutFacts(shipped.descriptor),
    shippedObjects: shipped.shippedObjects,
    shippedBytes: shipped.shippedBytes,
    ...(retention === undefined ? {} : {retention}),
  }
}

/** Makes REPLICA name store `storeId`: writes it on a new replica, refuses a replica of another store. */
async function bindIdentity(store: ObjectStore, storeId: string): Promise<void> {
  const body = Buffer.from(JSON.stringify({format: 'strata-replica', version: 1, storeId}) + '\n', 'utf8')
  if ((await store.put(IDENTITY_KEY, body, {ifAbsent: true})) === 'written') return
  let owner: unknown
  try {
    owner = JSON.parse(Buffer.from(await store.get(IDENTITY_KEY)).toString('utf8'))?.storeId
  } catch (err) {
    if (err instanceof StrataError) throw err
    throw new StrataError(ErrorCode.CORRUPTION, `${store.url}: ${IDENTITY_KEY} does not parse`, {file: IDENTITY_KEY})
  }
  if (owner !== storeId) throw otherStore(store, String(owner))
}

function otherStore(store: ObjectStore, owner: string): StrataError {
  return new StrataError(ErrorCode.INVALID_ARGUMENT, `${store.url} holds replicas of another store (${owner.slice(0, 12)}…), not of this one`, {
    hint: 'give each store its own destination',
  })
}

/** Waits `ms`, or less if `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, {once: true})
  })
}
