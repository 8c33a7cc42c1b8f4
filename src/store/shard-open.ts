/**
 * Opening a shard: creating an empty one, loading its live state (CURRENT,
 * manifest, tables, WAL) as a writer or as a read-only view, removing what a
 * crash left behind, and the errors a failed load reports.
 */
import {ErrorCode, StrataError, ioError, isNotFound} from '../errors.js'
import {TableReader} from '../sstable/reader.js'
import {decodeWal, readWalPrefix} from '../wal/reader.js'
import {WalWriter} from '../wal/writer.js'
import {readCurrent, switchManifest} from '../manifest/current.js'
import {CURRENT_FILE, CURRENT_TMP_FILE, joinPath, parseFileName, tableFileName, walFileName} from '../layout/names.js'
import {liveFileNames} from '../layout/live-files.js'
import {Memtable} from './memtable.js'
import type {LiveTable} from './levels.js'
import type {ShardContext, ViewAt} from './shard-types.js'
import {readConsistently} from './consistent-read.js'

/** Creates the files of an empty shard: WAL 1, MANIFEST-000002, CURRENT. */
export function createShard(ctx: ShardContext): void {
  const {fs, dir} = ctx
  fs.mkdir(dir)
  const wal = WalWriter.create(fs, joinPath(dir, walFileName(1)), ctx.index)
  wal.close()
  fs.syncDir(dir)
  switchManifest(fs, dir, {shard: ctx.index, nextFileNumber: 3, lastSeq: 0, walNumber: 1, tables: []}, 2)
}

/** A shard's live state as its files say. */
export type LoadedShard = ReturnType<typeof loadShard>

/**
 * Reads CURRENT, its manifest and the WAL, and checks that every table the
 * manifest names exists with its size. `hold`: open the tables' descriptors
 * now (a read-only view, which cannot stop another process's compaction
 * from deleting them); a writer opens each on first read. `at`: read that
 * fixed state (a cut's manifest, and the WAL up to its length) instead.
 */
export function loadShard(ctx: ShardContext, hold: boolean, at?: ViewAt) {
  const {fs, dir} = ctx
  const {manifest, manifestNumber} = at ?? readCurrent(fs, dir)
  if (manifest.shard !== ctx.index) {
    throw new StrataError(ErrorCode.CORRUPTION, `${dir}: manifest belongs to shard ${manifest.shard}`, {file: dir})
  }
  const tables: LiveTable[] = []
  try {
    for (const meta of manifest.tables) {
      const path = joinPath(dir, tableFileName(meta.fileNumber))
      const source = {fs, ...(ctx.files ? {files: ctx.files} : {})}
      let reader: TableReader
      try {
        reader = hold ? TableReader.openLazily(source, path, ctx.cache) : TableReader.deferred(source, path, fs.fileSize(path), ctx.cache)
      } catch (err) {
        // Opening wraps its ENOENT as IO: the cause kept is the ENOENT itself, which the retries look for.
        if (isNotFound(err)) throw missingTable(path, err instanceof StrataError ? err.cause : err)
        throw err instanceof StrataError ? err : ioError('stat', path, err)
      }
      tables.push({meta, reader})
      if (reader.fileSize !== meta.fileSize) {
        throw new StrataError(ErrorCode.CORRUPTION, `${path}: size ${reader.fileSize} differs from the manifest's ${meta.fileSize}`, {file: path, offset: 0})
      }
    }
    const walPath = joinPath(dir, walFileName(manifest.walNumber))
    const wal = decodeWal(readWalPrefix(fs, walPath, at?.walLength), walPath, manifest.lastSeq)
    const memtable = new Memtable()
    // The records are copied as the WAL holds them (decodeWal checked every one), not encoded again.
    for (const b of wal.batches) memtable.addEncoded(b.entries, b.encoded, b.starts)
    return {manifest, manifestNumber, tables, memtable, wal, walBytes: wal.validLength, ...(at ? {walLimit: at.walLength} : {})}
  } catch (err) {
    for (const t of tables) t.reader.close()
    throw err
  }
}

/**
 * The live state for a read-only view; never modifies the directory. If a
 * writer swaps files while it is being assembled, assembly starts over.
 */
export function loadView(ctx: ShardContext, at?: ViewAt): LoadedShard {
  try {
    return readConsistently(() => loadShard(ctx, true, at), isNotFound)
  } catch (err) {
    throw wrapLoadError(ctx, err)
  }
}

/**
 * Removes the files of a shard directory no manifest references (left by a
 * crash) and a leftover CURRENT.tmp; returns the next free file number.
 * REQUIRES: the store's writer lock is held.
 */
export function removeUnreferenced(ctx: ShardContext, live: LoadedShard): number {
  const {fs, dir} = ctx
  const m = live.manifest
  const keep = new Set<string>(liveFileNames(live.manifestNumber, m))
  let next = m.nextFileNumber
  for (const name of fs.readdir(dir)) {
    const parsed = parseFileName(name)
    if (parsed) next = Math.max(next, parsed.number + 1)
    if ((parsed && !keep.has(name)) || name === CURRENT_TMP_FILE) fs.unlink(joinPath(dir, name))
  }
  return next
}

/** A table its manifest names is missing: CORRUPTION, keeping the ENOENT as cause so that a view's assembly retries (see isNotFound). */
function missingTable(path: string, cause: unknown): StrataError {
  return new StrataError(ErrorCode.CORRUPTION, `${path}: table file named by the manifest is missing`, {file: path, offset: 0, cause})
}

/**
 * The error for a shard that could not be loaded. A file the shard's CURRENT
 * or manifest names that is missing (after the view's retries) is damage,
 * CORRUPTION, like one of the wrong size: checked before keeping a
 * StrataError as it is, because opening a table wraps its ENOENT as IO.
 */
export function wrapLoadError(ctx: ShardContext, err: unknown): StrataError {
  if (isNotFound(err)) {
    const cause = err instanceof StrataError ? err.cause : err
    const path = (cause as NodeJS.ErrnoException).path ?? (err instanceof StrataError ? err.file : undefined) ?? ctx.dir
    const why = path.endsWith(CURRENT_FILE) ? 'every shard directory has one' : 'yet named by the shard\'s CURRENT or manifest'
    return new StrataError(ErrorCode.CORRUPTION, `${path}: missing, ${why}`, {file: path, offset: 0})
  }
  if (err instanceof StrataError) return err
  return ioError('open shard', ctx.dir, err)
}
