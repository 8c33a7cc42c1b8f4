/**
 * The table-building half of a flush or a compaction, as a job that runs on
 * the background worker (bg-worker.ts) against the real filesystem: it reads
 * its inputs (the frozen memtable's records, which it sorts, or
 * the input tables), writes and syncs the new tables, syncs the directory, and returns
 * their metadata. It never touches the manifest, CURRENT or the WAL: the
 * shard installs the result on its own thread (shard-background.ts), so the
 * new files mean nothing until that manifest switch, and a crash before it
 * leaves files the next writer removes (shard-open.ts removeUnreferenced).
 *
 * A job is plain data (it crosses a worker boundary): keys as bytes, the
 * clock's value instead of the clock, the levels as table metadata only.
 */
import type {BlockCompression} from '../sstable/format.js'
import type {TableMeta} from '../manifest/format.js'
import {TableReader} from '../sstable/reader.js'
import {joinPath, tableFileName} from '../layout/names.js'
import {nodeFileSystem} from '../vfs/node-fs.js'
import {StrataError, ErrorCode} from '../errors.js'
import {runEntry, sortRun, type Run} from './sorted-run.js'
import {LevelSet, type LiveTable} from './levels.js'
import {flushLevel, type CompactionPolicy} from './compaction.js'
import {buildMergedTables, buildRunTables} from './table-build.js'
import {TableChainCursor} from './in-place-merge.js'
import type {ShardContext} from './shard-types.js'

/** What every job needs to write tables for one shard. */
export interface JobBase {
  readonly dir: string
  readonly shard: number
  readonly compression: BlockCompression
  readonly blockSize: number
  readonly createdBy: string
  readonly policy: CompactionPolicy
  /** The clock's value when the job was made (TTL checks and table properties). */
  readonly now: number
  /** The live tables when the job was made: nothing changes them until it is installed. */
  readonly tables: readonly TableMeta[]
  /** File numbers the job may use, [first, first + count). */
  readonly numbers: {readonly first: number; readonly count: number}
}

/** Flush the frozen memtable's records, handed over unsorted (transferred, not copied): the job sorts them. */
export interface FlushJob extends JobBase {
  readonly kind: 'flush'
  readonly run: Run
}

/** Merge the tables `inputs` (file numbers) into new tables at `outputLevel`. */
export interface CompactJob extends JobBase {
  readonly kind: 'compact'
  readonly inputs: readonly number[]
  readonly outputLevel: number
  readonly createdFor: 'compact' | 'auto-compact'
}

export type BackgroundJob = FlushJob | CompactJob

/** Runs `job` on the real filesystem; returns the metadata of the tables it wrote and synced. */
export function runJob(job: BackgroundJob): TableMeta[] {
  const fs = nodeFileSystem
  const ctx: ShardContext = {
    fs,
    dir: job.dir,
    index: job.shard,
    compression: job.compression,
    blockSize: job.blockSize,
    createdBy: job.createdBy,
    now: () => job.now,
    policy: job.policy,
  }
  let next = job.numbers.first
  const allocate = (): number => {
    if (next >= job.numbers.first + job.numbers.count) {
      throw new StrataError(ErrorCode.IO, `${job.dir}: background ${job.kind} needs more than its ${job.numbers.count} reserved file numbers`)
    }
    return next++
  }
  const levels = metaLevels(job)
  let built: LiveTable[]
  if (job.kind === 'flush') {
    const n = job.run.starts.length
    if (n === 0) return []
    const run = sortRun(job.run)
    const level = flushLevel(levels, job.policy, runEntry(run, 0).key, runEntry(run, n - 1).key)
    built = buildRunTables(ctx, allocate, run, level, 'flush')
  } else {
    const readers = job.inputs.map((n) => TableReader.open(fs, joinPath(job.dir, tableFileName(n))))
    try {
      const out = job.outputLevel
      built = buildMergedTables(ctx, allocate, readers.map((r) => new TableChainCursor([r])), job.now, (key) => levels.existsBelow(out, key), out, job.createdFor)
    } finally {
      for (const r of readers) r.close()
    }
  }
  for (const t of built) t.reader.close()
  fs.syncDir(job.dir)
  return built.map((t) => t.meta)
}

/**
 * The job's levels as metadata only: flushLevel and existsBelow read key
 * ranges and sizes, never a table's contents, so no reader is opened.
 */
function metaLevels(job: BackgroundJob): LevelSet {
  const noReader = undefined as unknown as TableReader
  return new LevelSet(job.tables.map((meta) => ({meta, reader: noReader})), job.dir)
}

