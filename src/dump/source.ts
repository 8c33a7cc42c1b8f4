/**
 * What `dump` reads: one file, a shard directory or a whole data directory,
 * turned into a list of files with their bytes.
 *
 * A directory is read shard by shard as a consistent snapshot, the same way
 * read-only engine views are built: CURRENT, the manifest it names, then the
 * WAL and the tables that manifest lists are all opened before any is read,
 * so a file a writer deletes after that (a flush or a compaction replacing
 * it) is still read whole through its open descriptor. If a file is gone
 * before it could be opened, a writer switched manifests underneath: CURRENT
 * is read again and the shard starts over. Nothing is ever written, and no
 * lock is taken.
 */
import * as path from 'node:path'
import {ErrorCode, StrataError, corruption, ioError, isNotFound} from '../errors.js'
import {nodeFileSystem} from '../vfs/node-fs.js'
import type {FileSystem, ReadableFile} from '../vfs/fs.js'
import {fileKindOf, parseManifest, parseStore, type FileKind} from '../kaitai/index.js'
import {readConsistently} from '../store/consistent-read.js'
import {CURRENT_FILE, STORE_FILE, manifestFileName, parseCurrentContents, parseShardDir, shardDirName, tableFileName, walFileName} from '../layout/names.js'

/** The kinds of file dump shows: the four binary formats and CURRENT (text). */
export type DumpKind = FileKind | 'current'

/** One file and its bytes, as read for a dump. */
export interface DumpFile {
  /** Path as opened (the dumped PATH joined with the file's name). */
  readonly path: string
  /** Name relative to the dumped directory ("shard-0001/000012.wal"), or the file's own name. */
  readonly name: string
  readonly kind: DumpKind
  /** Shard the file belongs to, when known from where it lives. */
  readonly shard?: number
  readonly bytes: Buffer
}

/** The files of one shard, read together. */
export interface ShardSnapshot {
  readonly shard: number
  /** CURRENT, the manifest, the WAL, then the tables in file-number order. */
  readonly files: readonly DumpFile[]
}

/** What PATH turned out to be. */
export type DumpSource =
  | {readonly type: 'file'; readonly path: string; readonly file: DumpFile}
  | {readonly type: 'store'; readonly path: string; readonly store: DumpFile; readonly shardCount: number; readonly generation: number}
  | {readonly type: 'shard'; readonly path: string; readonly shard: number}

const CURRENT_NAME = CURRENT_FILE
const STORE_NAME = STORE_FILE

const MAGICS: ReadonlyArray<readonly [string, FileKind]> = [['STRATADS', 'store'], ['STRATAMF', 'manifest'], ['STRATAWL', 'wal']]

/**
 * The kind of a file: by its name (STORE, CURRENT, MANIFEST-NNNNNN, NNNNNN.wal,
 * NNNNNN.sst), else by its magic number (a copy under another name). Undefined
 * if neither tells.
 */
export function kindOfFile(name: string, bytes: Buffer): DumpKind | undefined {
  const base = path.basename(name)
  if (base === CURRENT_NAME) return 'current'
  const byName = fileKindOf(base)
  if (byName !== undefined) return byName
  const head = bytes.subarray(0, 8).toString('latin1')
  for (const [magic, kind] of MAGICS) if (head === magic) return kind
  if (bytes.length >= 52 && bytes.subarray(bytes.length - 8).toString('latin1') === 'STRATATB') return 'sst'
  if (parseCurrentContents(bytes.subarray(0, 64).toString('latin1')) !== undefined) return 'current'
  return undefined
}

/** Decides what PATH is. A missing path, or one that is neither a strata file nor a store, is INVALID_ARGUMENT. */
export function resolveSource(target: string, fs: FileSystem = nodeFileSystem): DumpSource {
  if (!fs.exists(target)) {
    throw new StrataError(ErrorCode.INVALID_ARGUMENT, `${target}: no such file or directory`, {file: target})
  }
  if (fs.isDirectory(target)) {
    const storePath = path.join(target, STORE_NAME)
    if (fs.exists(storePath)) {
      const bytes = readWhole(fs, storePath)
      const store = parseStore(bytes, storePath)
      return {type: 'store', path: target, store: {path: storePath, name: STORE_NAME, kind: 'store', bytes}, shardCount: store.shardCount, generation: store.shardGeneration}
    }
    const m = parseShardDir(path.basename(path.resolve(target)))?.shard
    if (m !== undefined && fs.exists(path.join(target, CURRENT_NAME))) return {type: 'shard', path: target, shard: m}
    throw new StrataError(ErrorCode.INVALID_ARGUMENT, `${target} is neither a strata data directory (no STORE) nor a shard directory (shard-NNNN with a CURRENT)`, {
      file: target,
      hint: 'give a data directory, a shard directory or one file (STORE, CURRENT, MANIFEST-NNNNNN, NNNNNN.wal, NNNNNN.sst)',
    })
  }
  const bytes = readWhole(fs, target)
  const kind = kindOfFile(target, bytes)
  if (kind === undefined) {
    throw new StrataError(ErrorCode.INVALID_ARGUMENT, `${target}: not a strata file (neither its name nor its first bytes say which kind)`, {
      file: target,
      hint: 'dump reads STORE, CURRENT, MANIFEST-NNNNNN, NNNNNN.wal and NNNNNN.sst files',
    })
  }
  const dirName = path.basename(path.dirname(path.resolve(target)))
  const m = parseShardDir(dirName)?.shard
  const shard = m !== undefined && kind !== 'store' ? {shard: m} : {}
  return {type: 'file', path: target, file: {path: target, name: path.basename(target), kind, ...shard, bytes}}
}

/** The directory of shard `i` of shard generation `generation` below a store directory. */
export function shardDir(storeDir: string, i: number, generation = 0): string {
  return path.join(storeDir, shardDirName(i, generation))
}

/**
 * Reads one shard's live files as a consistent snapshot (see the file
 * comment). `prefix` is prepended to file names ("shard-0003/").
 */
export function readShard(dir: string, shard: number, prefix: string, fs: FileSystem = nodeFileSystem): ShardSnapshot {
  try {
    return {shard, files: readConsistently(() => readShardOnce(fs, dir, shard, prefix), isNotFound)}
  } catch (err) {
    if (!isNotFound(err)) throw err instanceof StrataError ? err : ioError('read', dir, err)
    const file = (err as NodeJS.ErrnoException).path ?? dir
    throw new StrataError(ErrorCode.CORRUPTION, `${file}: missing, yet named by the shard's CURRENT or manifest`, {file})
  }
}

function readShardOnce(fs: FileSystem, dir: string, shard: number, prefix: string): DumpFile[] {
  const currentPath = path.join(dir, CURRENT_NAME)
  const current = fs.readFile(currentPath)
  const named = parseCurrentContents(current.toString('latin1'))
  if (named === undefined) throw corruption(currentPath, 0, `CURRENT does not name a manifest (${JSON.stringify(current.subarray(0, 40).toString('latin1'))})`)
  const opened: Array<{name: string; kind: DumpKind; file: ReadableFile}> = []
  try {
    const open = (name: string, kind: DumpKind): Buffer => {
      const file = fs.openRead(path.join(dir, name))
      opened.push({name, kind, file})
      return readAll(file)
    }
    const manifestBytes = open(manifestFileName(named), 'manifest')
    const manifest = parseManifest(manifestBytes, path.join(dir, manifestFileName(named)))
    // Open everything before reading the rest: from here on, deletions by a writer do not matter.
    const names: Array<[string, DumpKind]> = []
    if (manifest.walNumber !== 0) names.push([walFileName(manifest.walNumber), 'wal'])
    for (const n of manifest.tables.map((t) => t.fileNumber).sort((a, b) => a - b)) names.push([tableFileName(n), 'sst'])
    for (const [name, kind] of names) opened.push({name, kind, file: fs.openRead(path.join(dir, name))})
    const files: DumpFile[] = [{path: currentPath, name: `${prefix}${CURRENT_NAME}`, kind: 'current', shard, bytes: current}]
    for (const o of opened) {
      const bytes = o.kind === 'manifest' ? manifestBytes : readAll(o.file)
      files.push({path: path.join(dir, o.name), name: `${prefix}${o.name}`, kind: o.kind, shard, bytes})
    }
    return files
  } finally {
    for (const o of opened) {
      try {
        o.file.close()
      } catch {
        // Closing a descriptor opened for reading cannot lose data.
      }
    }
  }
}

/** The files of a source: the file itself, or STORE and then each shard's files (each shard read as one snapshot). */
export function* sourceFiles(source: DumpSource, fs: FileSystem = nodeFileSystem): Generator<DumpFile> {
  if (source.type === 'file') {
    yield source.file
    return
  }
  if (source.type === 'store') yield source.store
  for (const snap of sourceShards(source, fs)) yield* snap.files
}

/** The shards of a directory source, each read as one snapshot (none for a single file). */
export function* sourceShards(source: DumpSource, fs: FileSystem = nodeFileSystem): Generator<ShardSnapshot> {
  if (source.type === 'store') {
    for (let i = 0; i < source.shardCount; i++) {
      const prefix = `${shardDirName(i, source.generation)}/`
      yield readShard(shardDir(source.path, i, source.generation), i, prefix, fs)
    }
  } else if (source.type === 'shard') {
    yield readShard(source.path, source.shard, '', fs)
  }
}

function readAll(file: ReadableFile): Buffer {
  const size = file.size()
  const buf = Buffer.alloc(size)
  const n = file.read(buf, 0, size, 0)
  return n === size ? buf : buf.subarray(0, n)
}

function readWhole(fs: FileSystem, p: string): Buffer {
  try {
    return fs.readFile(p)
  } catch (err) {
    if (isNotFound(err)) throw new StrataError(ErrorCode.INVALID_ARGUMENT, `${p}: no such file or directory`, {file: p})
    throw ioError('read', p, err)
  }
}
