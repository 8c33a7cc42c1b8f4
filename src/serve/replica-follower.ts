/**
 * `serve --replica-of SRC --dir LOCAL`: following a replica (src/replicate/).
 *
 * At start: resume the cut LOCAL already serves (replica-local.ts), or
 * restore SRC's newest cut into LOCAL/cuts/<id>. Then every interval: find
 * SRC's newest cut without a LIST (HEAD and a HEAD request per newer id,
 * src/replicate/cuts.ts); when it is newer than the one served, restore it
 * beside the current one, open it, record it in REPLICA-STATE, swap it in
 * (replica-handle.ts) and remove the previous folder once its last request
 * ended. Tables, manifests and schema versions the served cut already holds
 * are hard-linked rather than downloaded, and WAL ranges it holds are copied
 * from its WAL files (replica-reuse.ts): only new objects are downloaded.
 *
 * Verification: 'quick' by default, the size and SHA-256 of every object as
 * it is downloaded (a damaged or missing object fails the cut); 'full' also
 * computes the restored cut's digest and compares it with the descriptor's,
 * which reads every record and costs about a full scan per cut.
 *
 * A failing check (SRC unreachable, an object damaged) leaves the current
 * cut served, is reported by /stats and /healthz (degraded) and is retried
 * at the next interval; a half-restored folder never becomes the served one.
 */
import type {Store} from '../api.js'
import {ErrorCode, StrataError} from '../errors.js'
import {replicaCutPath} from '../layout/names.js'
import {openObjectStore} from '../objstore/open.js'
import type {ObjectStore} from '../objstore/object-store.js'
import {cutId, parseCutId} from '../replicate/keys.js'
import {newestCutNumber} from '../replicate/cuts.js'
import {restore} from '../restore/restore.js'
import type {Verify} from '../restore/write-out.js'
import {nodeFileSystem} from '../vfs/node-fs.js'
import type {FileSystem} from '../vfs/fs.js'
import {ReplicaStoreHandle} from './replica-handle.js'
import {reuseServedCut} from './replica-reuse.js'
import {prepareLocal, removeCut, removeCutsExcept, sourceIdentity, writeState, type ReplicaState} from './replica-local.js'

export interface ReplicaOptions {
  /** The replica followed: a directory or s3://bucket/prefix. */
  readonly source: string
  /** The local directory (replica-local.ts). */
  readonly local: string
  readonly intervalMs: number
  /** How each applied cut is checked; default 'quick'. */
  readonly verify?: Verify
  /** Opens a restored store for reading. */
  readonly open: (dir: string) => Promise<Store>
  readonly env?: NodeJS.ProcessEnv
  readonly fs?: FileSystem
  /** One line per applied cut and per failed check. */
  readonly log?: (line: string) => void
}

/** Restores or resumes a cut of `options.source`, starts following it, and returns the handle to serve. */
export async function startReplica(options: ReplicaOptions): Promise<ReplicaStoreHandle> {
  const fs = options.fs ?? nodeFileSystem
  const objects = await openObjectStore(options.source, {env: options.env, fs})
  try {
    const follower = new Follower(fs, objects, options)
    let state = prepareLocal(fs, options.local, objects.url)
    const resumed = state !== undefined
    if (state === undefined) {
      const applied = await follower.restoreCut(cutId(await newestOrFail(objects)))
      state = {source: applied.source, cut: applied.cut, takenAt: applied.takenAt}
      writeState(fs, options.local, state)
    }
    removeCutsExcept(fs, options.local, state.cut)
    const store = await options.open(replicaCutPath(options.local, state.cut))
    const handle = new ReplicaStoreHandle(objects.url, store, {id: state.cut, takenAt: state.takenAt, appliedAt: Date.now()})
    options.log?.(`${resumed ? 'resumed' : 'restored'} cut ${state.cut} of ${objects.url}`)
    follower.start(handle, resumed ? 0 : options.intervalMs)
    return handle
  } catch (err) {
    await objects.close()
    throw err
  }
}

async function newestOrFail(objects: ObjectStore): Promise<number> {
  const n = await newestCutNumber(objects)
  if (n === 0) throw new StrataError(ErrorCode.NOT_FOUND, `${objects.url} holds no cut`, {hint: 'ship one with: strata replicate --dir DIR ' + objects.url})
  return n
}

/** A cut just restored: its state, and how much of it was taken from the served cut rather than downloaded. */
interface Applied extends ReplicaState {
  readonly objects: number
  readonly reusedObjects: number
  readonly reusedBytes: number
}

/** The loop that checks SRC every interval and applies newer cuts. */
class Follower {
  private timer?: NodeJS.Timeout
  private running?: Promise<void>
  private stopped = false
  private handle?: ReplicaStoreHandle

  constructor(private readonly fs: FileSystem, private readonly objects: ObjectStore, private readonly options: ReplicaOptions) {}

  start(handle: ReplicaStoreHandle, firstDelayMs: number): void {
    this.handle = handle
    handle.onClose(() => this.stop())
    this.schedule(firstDelayMs)
  }

  private schedule(ms: number): void {
    if (this.stopped) return
    this.timer = setTimeout(() => {
      this.running = this.check().finally(() => {
        this.running = undefined
        this.schedule(this.options.intervalMs)
      })
    }, ms)
  }

  /** One check: apply SRC's newest cut if it is newer than the one served. Never throws. */
  private async check(): Promise<void> {
    const handle = this.handle!
    let id: string | undefined
    try {
      const n = await newestCutNumber(this.objects)
      const served = parseCutId(handle.cut.id) ?? 0
      // A source whose newest cut is older than the one served lost its cuts (a missing directory reads as empty).
      if (n < served) throw new StrataError(ErrorCode.NOT_FOUND, `${this.objects.url} holds no cut ${handle.cut.id} or later (its newest is ${n === 0 ? 'none' : cutId(n)})`)
      if (n > served && !this.stopped) {
        id = cutId(n)
        const state = await this.restoreCut(id, handle.cut.id)
        const store = await this.options.open(replicaCutPath(this.options.local, id))
        if (this.stopped) {
          await store.close()
          return
        }
        // The commit point: from here on a restart serves this cut.
        writeState(this.fs, this.options.local, state)
        const previous = handle.cut.id
        await handle.swap(store, {id, takenAt: state.takenAt, appliedAt: Date.now(), objects: state.objects, reusedObjects: state.reusedObjects, reusedBytes: state.reusedBytes})
        removeCut(this.fs, this.options.local, previous)
        this.options.log?.(`applied cut ${id} (taken ${new Date(state.takenAt).toISOString()}; ${state.reusedObjects} of its ${state.objects} objects taken from cut ${previous})`)
      }
      handle.checked()
    } catch (err) {
      const code = err instanceof StrataError ? err.code : ErrorCode.IO
      const message = err instanceof Error ? err.message : String(err)
      handle.checked({code, message, at: Date.now()})
      this.options.log?.(`cannot apply ${id === undefined ? 'the newest cut' : `cut ${id}`} of ${this.objects.url}: ${code}: ${message}; still serving cut ${handle.cut.id}`)
      if (id !== undefined && id !== handle.cut.id) this.discard(id)
    }
  }

  /** Restores cut `id` into its folder (clearing what an earlier attempt left), linking what cut `served` holds; returns the state naming it. */
  async restoreCut(id: string, served?: string): Promise<Applied> {
    removeCut(this.fs, this.options.local, id)
    const {reuse, tally} = served === undefined ? {tally: {objects: 0, bytes: 0}} : await reuseServedCut(this.fs, this.objects, this.options.local, served)
    const report = await restore(this.objects, replicaCutPath(this.options.local, id), {fs: this.fs, env: this.options.env, cut: id, verify: this.options.verify ?? 'quick', ...(reuse === undefined ? {} : {reuse})})
    return {source: sourceIdentity(this.objects.url), cut: id, takenAt: report.takenAt, objects: report.objects, reusedObjects: tally.objects, reusedBytes: tally.bytes}
  }

  /** Removes a cut folder that will not be served; a failure here is retried by the next attempt. */
  private discard(id: string): void {
    try {
      removeCut(this.fs, this.options.local, id)
    } catch {
      // restoreCut clears the folder again before reusing it.
    }
  }

  /** Stops following: no new check starts, the running one ends, SRC is closed. */
  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    await this.running
    await this.objects.close()
  }
}
