/**
 * `verifyStore`: checks every file of a data directory against the named
 * invariants in report.ts, decoding them with the Kaitai-generated parsers
 * (src/formats/), and returns a report.
 *
 * Read-only: it never takes the writer lock and never writes. Safe while a
 * writer runs (see shard-check.ts). No input makes it throw or hang: damage
 * of any kind becomes findings, and an unexpected exception while checking a
 * file becomes an error finding of the check that was running, the other
 * files still checked. It throws only when there is no store to check
 * (NOT_A_STORE), when STORE is intact but of a newer format (UNSUPPORTED),
 * for a bad option (INVALID_ARGUMENT) or when the directory cannot be listed (IO).
 */
import {checkDirPath, notAStore} from '../store/data-dir.js'
import {readDescriptor} from '../store/descriptor.js'
import * as path from 'node:path'
import {ErrorCode, StrataError, ioError} from '../errors.js'
import {nodeFileSystem} from '../vfs/node-fs.js'
import type {FileSystem} from '../vfs/fs.js'
import {REBALANCE_FILE, SCHEMAS_DIR, STORE_FILE, STORE_TMP_FILE, parseShardDir} from '../layout/names.js'
import {guarded, readWhole, reporter, type VerifyContext} from './context.js'
import {FindingSink, StopVerify} from './findings.js'
import {CHECK_IDS, CHECKS, type CheckId, type VerifyReport} from './report.js'
import {checkShard} from './shard-check.js'
import {checkSchemas} from './schema-check.js'
import {checkStoreFile, type StoreFacts} from './store-check.js'

/** Options for `verifyStore`. */
export interface VerifyOptions {
  /** Check structure and metadata checksums only, not every data block. Default false. */
  readonly quick?: boolean
  /** Count warnings as failures in `ok`. Default false. */
  readonly strict?: boolean
  /** Stop after this many error findings (a positive integer); the report says so. */
  readonly maxErrors?: number
  /**
   * Called after each file is checked with the files done so far, the files
   * to check (an estimate from listing the directories: it may grow, and
   * orphans count in it), and the file's path relative to `dir`.
   */
  readonly onProgress?: (done: number, total: number, file: string) => void
  /** Filesystem to read through. Default: the real one. */
  readonly fs?: FileSystem
}

/**
 * Checks whole data directory `dir`; see the module comment and report.ts.
 * A check that found errors while a shard-rebalance switched STORE to its
 * next generation (whose cleanup then removed the folders being read) is
 * run again on the new generation, a few times at most.
 */
export function verifyStore(dir: string, options: VerifyOptions = {}): VerifyReport {
  for (let attempt = 1; ; attempt++) {
    const before = generationNow(options.fs ?? nodeFileSystem, dir)
    const report = verifyOnce(dir, options)
    if (report.ok || attempt >= 3 || before === undefined || generationNow(options.fs ?? nodeFileSystem, dir) === before) return report
  }
}

/** STORE's shard generation now, or undefined when STORE cannot be read. */
function generationNow(fs: FileSystem, dir: string): number | undefined {
  try {
    return readDescriptor(fs, dir).shardGeneration
  } catch {
    return undefined
  }
}

function verifyOnce(dir: string, options: VerifyOptions): VerifyReport {
  const {maxErrors} = options
  if (maxErrors !== undefined && !(Number.isInteger(maxErrors) && maxErrors > 0)) {
    throw new StrataError(ErrorCode.INVALID_ARGUMENT, `maxErrors must be a positive integer, got ${maxErrors}`)
  }
  const fs = options.fs ?? nodeFileSystem
  const quick = options.quick === true
  checkDirPath(fs, dir)
  if (!fs.isDirectory(dir)) throw notAStore(fs, dir)
  let names: string[]
  try {
    names = fs.readdir(dir)
  } catch (err) {
    throw ioError('list', dir, err)
  }
  const allShardDirs = names.filter((n) => parseShardDir(n) !== undefined).sort()
  const sink = new FindingSink(maxErrors)
  let done = 0
  let total = 1 + allShardDirs.reduce((sum, d) => sum + countFiles(fs, path.join(dir, d)), 0)
  const progress = (file: string): void => {
    done++
    total = Math.max(total, done)
    options.onProgress?.(done, total, file)
  }

  let facts: StoreFacts | undefined
  let shardCount = 0
  let stopped = false
  try {
    const base: VerifyContext = {fs, dir, sink, quick, placementShards: undefined, generation: 0, progress}
    const rs = reporter(base, STORE_FILE, undefined, 'store.descriptor')
    const read = readWhole(base, STORE_FILE)
    if ('missing' in read) {
      if (allShardDirs.length === 0) throw notAStore(fs, dir)
      rs.error('store.descriptor', 0, `STORE is missing, but the directory holds ${allShardDirs.length} shard director${allShardDirs.length === 1 ? 'y' : 'ies'}: a store that lost its descriptor (strata repair rebuilds it from the shards), or one whose init did not finish`)
    } else if ('failed' in read) {
      rs.error('store.descriptor', 0, read.failed)
    } else {
      sink.counts.files++
      const r = reporter(base, STORE_FILE, read.buf.length, 'store.descriptor')
      guarded(r, () => {
        facts = checkStoreFile(r, read.buf, path.join(dir, STORE_FILE))
      }, (err) => err instanceof StrataError && err.code === ErrorCode.UNSUPPORTED)
      progress(STORE_FILE)
    }
    // Without a trusted STORE, check the shard directories there are, and skip placement.
    // Only STORE's shard generation is the store; folders of other generations are what a
    // shard-rebalance left or is building. Without a trusted STORE, the newest generation is checked.
    const generation = facts?.shardGeneration ?? Math.max(0, ...allShardDirs.map((d) => parseShardDir(d)!.generation))
    const shardDirs = allShardDirs.filter((d) => parseShardDir(d)!.generation === generation)
    shardCount = facts?.shardCount ?? Math.max(0, ...shardDirs.map((d) => parseShardDir(d)!.shard + 1))
    const ctx: VerifyContext = {...base, placementShards: facts?.shardCount, generation}
    for (const d of shardDirs) {
      const i = parseShardDir(d)!.shard
      if (i >= shardCount) reporter(ctx, d, undefined, 'store.descriptor').warning('store.descriptor', 0, `${d} is not a shard of this store (STORE has ${shardCount}); it is ignored`)
    }
    const others = allShardDirs.filter((d) => parseShardDir(d)!.generation !== generation)
    if (others.length > 0) {
      const shown = others.length > 4 ? `${others.slice(0, 4).join(', ')} and ${others.length - 4} more` : others.join(', ')
      const why = names.includes(REBALANCE_FILE) ? 'a shard-rebalance is unfinished (strata shard-rebalance --resume or --abort)' : 'left by a shard-rebalance; the next writer removes them'
      reporter(ctx, others[0], undefined, 'store.descriptor').warning('store.descriptor', 0, `${shown}: not of the live shard generation ${generation} (${why}); ignored`)
    }
    if (names.includes(STORE_TMP_FILE)) {
      reporter(ctx, STORE_TMP_FILE, undefined, 'store.descriptor').warning('store.descriptor', 0, 'orphan: a STORE replacement left this temporary file')
    }
    for (let i = 0; i < shardCount; i++) checkShard(ctx, i, shardCount)
    if (facts !== undefined) guarded(reporter(ctx, SCHEMAS_DIR, undefined, 'schema.registry'), () => checkSchemas(ctx))
  } catch (err) {
    if (!(err instanceof StopVerify)) throw err
    stopped = true
  }
  return buildReport(dir, options, sink, shardCount, stopped, facts === undefined)
}


/** Files in a directory, for the progress estimate; 0 if it cannot be listed. */
function countFiles(fs: FileSystem, path: string): number {
  try {
    return fs.readdir(path).length
  } catch {
    return 0
  }
}

function buildReport(dir: string, options: VerifyOptions, sink: FindingSink, shards: number, stopped: boolean, storeUntrusted: boolean): VerifyReport {
  const quick = options.quick === true
  const strict = options.strict === true
  const skipped = new Set<CheckId>()
  if (quick) for (const id of ['sst.block-crc', 'sst.key-order', 'sst.index', 'sst.bloom', 'sst.properties', 'shard.placement', 'schema.records'] as const) skipped.add(id)
  if (storeUntrusted) skipped.add('shard.placement')
  const per = sink.perCheck()
  const errors = sink.errors
  const warnings = sink.warnings
  return {
    dir,
    ok: errors === 0 && (!strict || warnings === 0),
    quick,
    strict,
    maxErrors: options.maxErrors ?? null,
    stopped,
    summary: {shards, ...sink.counts, errors, warnings},
    checks: CHECK_IDS.map((id) => ({id, description: CHECKS[id], ...per.get(id)!, skipped: stopped || skipped.has(id)})),
    findings: [...sink.findings],
  }
}
