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
import * as path from 'node:path'
import {ErrorCode, StrataError, ioError} from '../errors.js'
import {nodeFileSystem} from '../vfs/node-fs.js'
import type {FileSystem} from '../vfs/fs.js'
import {SCHEMAS_DIR, STORE_FILE, STORE_TMP_FILE, isShardDirName, parseShardDirName} from '../layout/names.js'
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

/** Checks whole data directory `dir`; see the module comment and report.ts. */
export function verifyStore(dir: string, options: VerifyOptions = {}): VerifyReport {
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
  const shardDirs = names.filter((n) => isShardDirName(n)).sort()
  const sink = new FindingSink(maxErrors)
  let done = 0
  let total = 1 + shardDirs.reduce((sum, d) => sum + countFiles(fs, path.join(dir, d)), 0)
  const progress = (file: string): void => {
    done++
    total = Math.max(total, done)
    options.onProgress?.(done, total, file)
  }

  let facts: StoreFacts | undefined
  let shardCount = 0
  let stopped = false
  try {
    const base: VerifyContext = {fs, dir, sink, quick, placementShards: undefined, progress}
    const rs = reporter(base, STORE_FILE, undefined, 'store.descriptor')
    const read = readWhole(base, STORE_FILE)
    if ('missing' in read) {
      if (shardDirs.length === 0) throw notAStore(fs, dir)
      rs.error('store.descriptor', 0, `STORE is missing, but the directory holds ${shardDirs.length} shard director${shardDirs.length === 1 ? 'y' : 'ies'}: a store that lost its descriptor (strata repair rebuilds it from the shards), or one whose init did not finish`)
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
    shardCount = facts?.shardCount ?? Math.max(0, ...shardDirs.map((d) => parseShardDirName(d)! + 1))
    const ctx: VerifyContext = {...base, placementShards: facts?.shardCount}
    for (const d of shardDirs) {
      const i = parseShardDirName(d)!
      if (i >= shardCount) reporter(ctx, d, undefined, 'store.descriptor').warning('store.descriptor', 0, `${d} is not a shard of this store (STORE has ${shardCount}); it is ignored`)
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
