/**
 * The store's background worker: one thread (node:worker_threads) that
 * builds and syncs the tables of flushes and compactions (bg-jobs.ts), so
 * that the thread accepting writes only freezes memtables and installs
 * results (shard-background.ts). One thread, because the machines this runs
 * on have few cores and the writing thread needs one; jobs from different
 * shards queue in order.
 *
 * The thread starts on the first job (a store that never flushes never
 * starts it) and does not keep the process alive: a process that exits with
 * a job in flight leaves only unreferenced files, as a crash would.
 */
import {createRequire} from 'node:module'
import type {Worker} from 'node:worker_threads'
import {ErrorCode, StrataError, ioError} from '../errors.js'
import type {TableMeta} from '../manifest/format.js'
import type {BackgroundJob} from './bg-jobs.js'
import type {JobAnswer, JobRequest} from './bg-worker.js'

interface Pending {
  readonly resolve: (tables: TableMeta[]) => void
  readonly reject: (err: unknown) => void
  readonly dir: string
}

export class BackgroundWorker {
  private worker: Worker | undefined
  private nextId = 1
  private readonly pending = new Map<number, Pending>()

  /** Runs `job` on the worker; resolves with the tables it wrote and synced, in the order built. */
  run(job: BackgroundJob): Promise<TableMeta[]> {
    const worker = this.start()
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, {resolve, reject, dir: job.dir})
      // A flush's records are handed over, not copied: nothing else uses them.
      worker.postMessage({id, job} satisfies JobRequest, job.kind === 'flush' ? [job.run.bytes.buffer as ArrayBuffer, job.run.starts.buffer as ArrayBuffer] : [])
    })
  }

  /** Jobs sent and not answered. */
  get busy(): number {
    return this.pending.size
  }

  /** Stops the thread. REQUIRES: no job the caller still waits for (a held or lost one is failed). */
  async stop(): Promise<void> {
    const w = this.worker
    this.worker = undefined
    if (w !== undefined) await w.terminate()
    this.failAll(new StrataError(ErrorCode.CLOSED, 'store is closed'))
  }

  private start(): Worker {
    if (this.worker !== undefined) return this.worker
    // Loaded on the first job, not at import: every store (and every CLI call) imports this file, few start a worker.
    const {Worker: WorkerThread} = createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads')
    const w = new WorkerThread(new URL('./bg-worker.js', import.meta.url))
    w.unref()
    w.on('message', (a: JobAnswer) => this.answer(a))
    w.on('error', (err) => this.lost(w, err))
    w.on('exit', (code) => this.lost(w, new Error(`background worker exited with code ${code}`)))
    this.worker = w
    return w
  }

  private answer(a: JobAnswer): void {
    const p = this.pending.get(a.id)
    if (p === undefined) return
    this.pending.delete(a.id)
    if (a.ok) {
      p.resolve(a.tables.map((t) => ({...t, smallestKey: Buffer.from(t.smallestKey), largestKey: Buffer.from(t.largestKey)})))
      return
    }
    const e = a.error
    if (e.strata) p.reject(new StrataError(e.code as ErrorCode, e.message, {...(e.file === undefined ? {} : {file: e.file}), ...(e.offset === undefined ? {} : {offset: e.offset})}))
    else p.reject(ioError('background build', p.dir, Object.assign(new Error(e.message), e.code === undefined ? {} : {code: e.code})))
  }

  /** The thread died: every job in flight fails (the shards stop, fail-stop), and the next job starts a new thread. */
  private lost(w: Worker, err: unknown): void {
    if (this.worker === w) this.worker = undefined
    this.failAll(err)
  }

  private failAll(err: unknown): void {
    const all = [...this.pending.values()]
    this.pending.clear()
    for (const p of all) p.reject(err instanceof StrataError ? err : ioError('background build', p.dir, err))
  }
}
