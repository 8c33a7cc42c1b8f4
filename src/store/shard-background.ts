/**
 * A shard's flushes and compactions in the background: the table building
 * runs on the store's worker (background.ts, bg-jobs.ts) while this thread
 * keeps accepting writes; this thread freezes the memtable, hands the worker
 * a copy of its records (Memtable.unsortedRun: the worker sorts them, which
 * bulk loads showed to be a sixth of this thread's work when it was done
 * here) and installs each result with the manifest switch. Used when the store is opened with
 * `background` (the default on the real filesystem); otherwise the inline
 * path of ShardCore/Shard does the same work on the writing thread.
 *
 * One job per shard at a time, as LevelDB's single background thread: a job
 * is planned against the live tables, and nothing else changes them until it
 * is installed, so its plan (the flush level, the compaction's inputs and
 * which tombstones may go) is exactly what the inline path would decide.
 *
 * The flush and its WAL: freezing does not rotate the WAL. Writes after the
 * freeze append to the same WAL, which therefore holds the frozen memtable's
 * records (its first `frozenAt` bytes) and the new ones. The manifest keeps
 * naming that WAL until the flush installs, so a crash before then replays
 * all of it, a reader or a cut taken meanwhile sees every acknowledged write
 * in it, and nothing about the format changes. Installing writes a new WAL
 * holding the records after `frozenAt` (copied as they are framed), syncs
 * it, and switches to a manifest naming it and the new table; only then is
 * the old WAL deleted.
 *
 * Write stalls (`room`): a shard's writes wait while
 *   - its memtable has reached walFlushBytes and the previous one is still
 *     being flushed (at most one immutable memtable per shard), or has
 *     reached COMPACTION_STALL_FACTOR × walFlushBytes while a compaction
 *     holds the shard's job;
 *   - level 0 holds L0_STOP_FACTOR × the compaction trigger tables or more.
 */
import type {TableMeta} from '../manifest/format.js'
import {TableReader} from '../sstable/reader.js'
import {WalWriter} from '../wal/writer.js'
import {readRange} from '../vfs/read-range.js'
import {joinPath, tableFileName, walFileName} from '../layout/names.js'
import {Memtable} from './memtable.js'
import type {LiveTable} from './levels.js'
import {pickCompaction, type CompactionPlan} from './compaction.js'
import type {BackgroundWorker} from './background.js'
import type {CompactJob, FlushJob, JobBase} from './bg-jobs.js'
import {ShardCore} from './shard-core.js'

/** Level 0 may hold this many times the compaction trigger before writes wait (LevelDB: 12 at trigger 4). */
export const L0_STOP_FACTOR = 3

/**
 * While a compaction holds a shard's job, its memtable may grow to this many
 * times walFlushBytes before writes wait. The shards share one worker, and in
 * a bulk load they reach their level-0 trigger together, so a shard's
 * compaction often waits behind the others' (each about 0.6 s for 4 × 4 MiB
 * tables). At 2, writers waited 1.2 s of a 1M-key load for them; at 3, the
 * load ran 132k -> 161k keys/s and, through close (which flushes the larger
 * memtables left), 123k -> 131k (medians of 6 alternating pairs).
 */
const COMPACTION_STALL_FACTOR = 3

/** What a shard needs to run its jobs in the background. */
export interface BackgroundSettings {
  readonly worker: BackgroundWorker
  readonly flushBytes: number
  /** Told of a job that failed: the store stops (fail-stop). */
  readonly fail: (err: unknown) => void
}

export abstract class ShardBackground extends ShardCore {
  private bg: BackgroundSettings | undefined
  /** The job in flight (it never rejects: a failure is kept in `bgError`). */
  private job: Promise<void> | undefined
  private lastJob: 'flush' | 'compact' | undefined
  /** Callers that asked for no new job (settle); while above zero none starts. */
  private paused = 0
  private bgError: unknown
  /** WAL bytes holding the frozen memtable's records (0: none frozen). */
  private frozenAt = 0

  /** Runs this shard's flushes and compactions on `settings.worker` from now on. REQUIRES: opened as the writer. */
  enableBackground(settings: BackgroundSettings): void {
    this.bg = settings
  }

  /** WAL bytes of the writable memtable's records. */
  private activeBytes(): number {
    return this.walBytes - this.frozenAt
  }

  /**
   * Starts the job that is due, if any and none is in flight. A job that
   * cannot even be made (the copy of its memtable too large to allocate) fails like
   * one that failed on the worker: the store stops, with nothing changed.
   */
  kick(): void {
    const bg = this.bg
    if (bg === undefined || this.job !== undefined || this.paused > 0 || this.bgError !== undefined || this.wal === undefined) return
    try {
      const flushDue = this.memtable.size > 0 && this.activeBytes() >= bg.flushBytes
      // After a flush, a due compaction goes first unless the memtable is already twice over.
      if (flushDue && (this.lastJob !== 'flush' || this.activeBytes() >= 2 * bg.flushBytes)) return this.startFlush(bg)
      const plan = pickCompaction(this.levels, this.ctx.policy, this.cursors)
      if (plan !== undefined) return this.startCompaction(bg, plan)
      if (flushDue) this.startFlush(bg)
    } catch (err) {
      this.bgError ??= err
      bg.fail(err)
    }
  }

  /** Settles once this shard's writes may go on (see the stalls above); throws a failed job's error. */
  async room(): Promise<void> {
    const bg = this.bg
    if (bg === undefined) return
    for (;;) {
      this.kick()
      if (this.bgError !== undefined) throw this.bgError
      const active = this.activeBytes()
      const full = (this.imm !== undefined && active >= bg.flushBytes) || active >= COMPACTION_STALL_FACTOR * bg.flushBytes
      if (this.job === undefined || !(full || this.levels.l0.length >= L0_STOP_FACTOR * this.ctx.policy.l0Trigger)) return
      await this.job
    }
  }

  /**
   * Waits for the job in flight and starts no other until `resume`: the
   * caller then runs a flush or compaction inline, or closes. Throws a
   * failed job's error (after which nothing more runs).
   */
  async settle(): Promise<void> {
    this.paused++
    while (this.job !== undefined) await this.job
    if (this.bgError !== undefined) throw this.bgError
  }

  resume(): void {
    this.paused = Math.max(0, this.paused - 1)
    this.kick()
  }

  private track(kind: 'flush' | 'compact', work: Promise<void>): void {
    this.lastJob = kind
    this.job = work.then(
      () => {
        this.job = undefined
        this.kick()
      },
      (err: unknown) => {
        this.job = undefined
        this.bgError ??= err
        this.bg?.fail(err)
      },
    )
  }

  private base(count: number): JobBase {
    const {dir, index, compression, blockSize, createdBy, policy} = this.ctx
    const first = this.nextFileNumber
    this.nextFileNumber += count
    return {dir, shard: index, compression, blockSize, createdBy, policy, now: this.ctx.now(), tables: this.levels.all().map((t) => t.meta), numbers: {first, count}}
  }

  private startFlush(bg: BackgroundSettings): void {
    // Made before anything changes: if it throws, the memtable is still the live one.
    const run = this.memtable.unsortedRun()
    this.imm = this.memtable
    this.memtable = new Memtable()
    this.frozenAt = this.walBytes
    // A flush below level 0 is cut into tables of about targetFileBytes, and a
    // memtable may have grown to COMPACTION_STALL_FACTOR × walFlushBytes: reserve
    // numbers for every table the run's bytes can fill, and then some.
    const job: FlushJob = {...this.base(2 + 2 * Math.ceil(run.bytes.length / this.ctx.policy.targetFileBytes)), kind: 'flush', run}
    const lastSeq = this.lastSeq
    this.track('flush', bg.worker.run(job).then((tables) => this.installFlush(tables, lastSeq)))
  }

  private startCompaction(bg: BackgroundSettings, plan: CompactionPlan): void {
    const inputBytes = plan.inputs.reduce((s, t) => s + t.meta.fileSize, 0)
    // Outputs are cut at about targetFileBytes; reserve numbers well beyond what the inputs' size needs.
    const count = 16 + 4 * Math.ceil(inputBytes / this.ctx.policy.targetFileBytes)
    const job: CompactJob = {
      ...this.base(count),
      kind: 'compact',
      inputs: plan.inputs.map((t) => t.meta.fileNumber),
      outputLevel: plan.outputLevel,
      createdFor: plan.reason === 'manual compaction' ? 'compact' : 'auto-compact',
    }
    this.track('compact', bg.worker.run(job).then((tables) => {
      const built = this.open(tables)
      this.install([...this.levels.all().filter((t) => !plan.inputs.includes(t)), ...built], this.manifest.walNumber, this.manifest.lastSeq)
      this.activity.compactions++
    }))
  }

  /** Readers for tables a job wrote (opened on first read). */
  private open(tables: TableMeta[]): LiveTable[] {
    const source = {fs: this.ctx.fs, ...(this.ctx.files ? {files: this.ctx.files} : {})}
    return tables.map((meta) => ({meta, reader: TableReader.deferred(source, joinPath(this.ctx.dir, tableFileName(meta.fileNumber)), meta.fileSize, this.ctx.cache)}))
  }

  /**
   * Installs a flush whose tables hold every record up to `lastSeq`: a new
   * WAL with the records written since the freeze, synced, then the
   * manifest switch, which deletes the old WAL.
   */
  private installFlush(tables: TableMeta[], lastSeq: number): void {
    const {fs, dir} = this.ctx
    const old = this.requireWriter()
    const built = this.open(tables)
    const walNumber = this.allocate()
    let fresh: WalWriter | undefined
    try {
      fresh = WalWriter.create(fs, joinPath(dir, walFileName(walNumber)), this.ctx.index, this.ctx.files)
      fresh.appendRecords(readRange(fs, old.path, this.frozenAt, this.walBytes))
      fresh.sync()
      fs.syncDir(dir)
      this.install([...built, ...this.levels.all()], walNumber, lastSeq)
    } catch (err) {
      fresh?.close()
      for (const t of built) t.reader.close()
      throw err
    }
    old.close()
    this.wal = fresh
    this.walBytes = fresh.size()
    this.frozenAt = 0
    this.imm = undefined
    this.activity.flushes++
  }
}
