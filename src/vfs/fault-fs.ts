/**
 * FaultFileSystem: an in-memory `FileSystem` that knows what a power loss
 * would keep, and injects I/O errors. For tests (LevelDB's fault-injection
 * Env, Pebble's MemFS in strict mode plus errorfs); never used by the CLI.
 *
 * Semantics follow node-fs.ts: `create` fails with EEXIST if the path exists,
 * `openAppend` truncates (or zero-extends) to `truncateTo`, `mkdir` is
 * recursive, missing paths fail with code ENOENT, and so on. Open read
 * handles keep reading an unlinked or replaced file, as on POSIX.
 *
 * Durability model:
 * - a file's bytes are durable up to its last `sync()`;
 * - a directory's entries (create, rename, unlink, mkdir, rmdir) are durable
 *   once `syncDir` of that directory returns. Creating a file or directory
 *   changes its parent; a rename changes both directories.
 *
 * `crashImage(options)` returns a new FaultFileSystem holding what survives a
 * power loss now (the original is untouched, so one run can be cut at many
 * points); `crash(options)` switches this one to that state, and every
 * handle opened before fails from then on. See CrashMode for what happens to
 * unsynced file tails and DirChanges for unsynced directory changes.
 *
 * Error injection: `injectFault({at, ...})` fails the at-th counted call
 * (1-based, counting only the calls `kinds` selects, all I/O calls by
 * default) with EIO, ENOSPC or ENOENT, once or from then on (`sticky`). `calls` and
 * `callsOf(kind)` count calls, so a test can enumerate every k. As in
 * node-fs, `exists` and `isDirectory` never throw: an injected fault makes
 * them answer false. A failed append writes a prefix of its data when
 * `partialWrite` is set (a short write, then the error).
 *
 * Parts: the vocabulary (fault-spec.ts), counting and injection
 * (fault-inject.ts, the base class), the tree (fault-tree.ts), what a crash
 * keeps (fault-crash.ts) and the open-file handles (fault-handles.ts).
 */
import * as nodePath from 'node:path'
import type {FileLock, FileSystem, ReadableFile, WritableFile} from './fs.js'
import {DirNode, FileNode, durableParent, filesBelow, unsyncedFiles, type DirChange, type FsNode} from './fault-tree.js'
import {copyTree, survivingTree} from './fault-crash.js'
import {MemReadable, MemWritable} from './fault-handles.js'
import {sysError, type CrashOptions, type FaultFsOptions, type FaultSpec, type FsCallKind} from './fault-spec.js'
import {FaultInjector} from './fault-inject.js'

export {FS_CALL_KINDS, MUTATING_KINDS, CRASH_MODES, sysError, prng} from './fault-spec.js'
export type {FsCallKind, CrashMode, CrashOptions, FaultSpec, FiredFault, FaultFsOptions} from './fault-spec.js'

/** See the module comment. */
export class FaultFileSystem extends FaultInjector implements FileSystem {
  private root = new DirNode()
  /** Unsynced directory changes, oldest first. */
  private changes: DirChange[] = []
  private changeSeq = 0
  /** Bumped by crash(): handles of an older generation are dead. */
  private generation = 0
  /** Held locks: the file's node and the token of the lock that holds it. */
  private locks = new Map<FileNode, object>()
  constructor(private readonly options: FaultFsOptions = {}) {
    super()
  }

  // ---- tree access -----------------------------------------------------

  private norm(path: string): string {
    return nodePath.posix.resolve('/', path)
  }

  /** The node at `path`, or undefined. Throws ENOTDIR when a parent is a file. */
  private lookup(path: string, syscall: string): FsNode | undefined {
    const parts = this.norm(path).split('/').filter((p) => p.length > 0)
    let node: FsNode = this.root
    for (const p of parts) {
      if (!(node instanceof DirNode)) throw sysError('ENOTDIR', syscall, path)
      const next: FsNode | undefined = node.live.get(p)
      if (next === undefined) return undefined
      node = next
    }
    return node
  }

  private parentOf(path: string, syscall: string): {dir: DirNode; name: string} {
    const abs = this.norm(path)
    const dir = this.lookup(nodePath.posix.dirname(abs), syscall)
    if (dir === undefined) throw sysError('ENOENT', syscall, path)
    if (!(dir instanceof DirNode)) throw sysError('ENOTDIR', syscall, path)
    return {dir, name: nodePath.posix.basename(abs)}
  }

  private file(path: string, syscall: string): FileNode {
    const node = this.lookup(path, syscall)
    if (node === undefined) throw sysError('ENOENT', syscall, path)
    if (node instanceof DirNode) throw sysError('EISDIR', syscall, path)
    return node
  }

  private change(dir: DirNode, name: string, node: FsNode | undefined, seq = ++this.changeSeq): void {
    if (node === undefined) dir.live.delete(name)
    else dir.live.set(name, node)
    this.changes.push({seq, dir, name, node})
  }

  // ---- FileSystem ------------------------------------------------------

  openRead(path: string): ReadableFile {
    this.enter('openRead', path)
    return new MemReadable(this, this.file(path, 'open'), path, this.generation)
  }

  create(path: string): WritableFile {
    this.enter('create', path)
    const {dir, name} = this.parentOf(path, 'open')
    if (dir.live.has(name)) throw sysError('EEXIST', 'open', path)
    const node = new FileNode()
    this.change(dir, name, node)
    return new MemWritable(this, node, path, this.generation)
  }

  openAppend(path: string, truncateTo?: number): WritableFile {
    this.enter('openAppend', path)
    const node = this.file(path, 'open')
    if (truncateTo !== undefined) {
      if (!(Number.isSafeInteger(truncateTo) && truncateTo >= 0)) throw sysError('EINVAL', 'ftruncate', path)
      node.truncate(truncateTo)
    }
    return new MemWritable(this, node, path, this.generation)
  }

  readFile(path: string): Buffer {
    this.enter('readFile', path)
    return Buffer.from(this.file(path, 'open').contents())
  }

  rename(from: string, to: string): void {
    this.enter('rename', from)
    const src = this.parentOf(from, 'rename')
    const node = src.dir.live.get(src.name)
    if (node === undefined) throw sysError('ENOENT', 'rename', from)
    const dst = this.parentOf(to, 'rename')
    if (src.dir === dst.dir && src.name === dst.name) return
    const existing = dst.dir.live.get(dst.name)
    if (existing instanceof DirNode && !(node instanceof DirNode)) throw sysError('EISDIR', 'rename', to)
    if (existing !== undefined && !(existing instanceof DirNode) && node instanceof DirNode) throw sysError('ENOTDIR', 'rename', to)
    if (existing instanceof DirNode && existing.live.size > 0) throw sysError('ENOTEMPTY', 'rename', to)
    const seq = ++this.changeSeq
    this.change(src.dir, src.name, undefined, seq)
    this.change(dst.dir, dst.name, node, seq)
  }

  unlink(path: string): void {
    this.enter('unlink', path)
    const {dir, name} = this.parentOf(path, 'unlink')
    const node = dir.live.get(name)
    if (node === undefined) throw sysError('ENOENT', 'unlink', path)
    if (node instanceof DirNode) throw sysError('EISDIR', 'unlink', path)
    this.change(dir, name, undefined)
  }

  mkdir(path: string): void {
    this.enter('mkdir', path)
    const parts = this.norm(path).split('/').filter((p) => p.length > 0)
    let dir = this.root
    for (const p of parts) {
      const next = dir.live.get(p)
      if (next === undefined) {
        const created = new DirNode()
        this.change(dir, p, created)
        dir = created
      } else if (next instanceof DirNode) {
        dir = next
      } else {
        throw sysError(p === parts.at(-1) ? 'EEXIST' : 'ENOTDIR', 'mkdir', path)
      }
    }
  }

  rmdir(path: string): void {
    this.enter('rmdir', path)
    const {dir, name} = this.parentOf(path, 'rmdir')
    const node = dir.live.get(name)
    if (node === undefined) throw sysError('ENOENT', 'rmdir', path)
    if (!(node instanceof DirNode)) throw sysError('ENOTDIR', 'rmdir', path)
    if (node.live.size > 0) throw sysError('ENOTEMPTY', 'rmdir', path)
    this.change(dir, name, undefined)
  }

  readdir(path: string): string[] {
    this.enter('readdir', path)
    const node = this.lookup(path, 'scandir')
    if (node === undefined) throw sysError('ENOENT', 'scandir', path)
    if (!(node instanceof DirNode)) throw sysError('ENOTDIR', 'scandir', path)
    const names = [...node.live.keys()].sort()
    return this.options.readdirOrder === 'reverse' ? names.reverse() : names
  }

  exists(path: string): boolean {
    try {
      this.enter('exists', path)
      return this.lookup(path, 'stat') !== undefined
    } catch {
      return false
    }
  }

  isDirectory(path: string): boolean {
    try {
      this.enter('isDirectory', path)
      return this.lookup(path, 'stat') instanceof DirNode
    } catch {
      return false
    }
  }

  fileSize(path: string): number {
    this.enter('fileSize', path)
    const node = this.lookup(path, 'stat')
    if (node === undefined) throw sysError('ENOENT', 'stat', path)
    return node instanceof DirNode ? 4096 : node.length
  }

  syncDir(path: string): void {
    this.enter('syncDir', path)
    const node = this.lookup(path, 'open')
    if (node === undefined) throw sysError('ENOENT', 'open', path)
    if (node instanceof FileNode) {
      node.sync()
      return
    }
    node.durable = new Map(node.live)
    this.changes = this.changes.filter((c) => c.dir !== node)
  }

  tryLock(path: string): FileLock | undefined {
    this.enter('lock', path)
    let node = this.lookup(path, 'open')
    if (node === undefined) {
      const {dir, name} = this.parentOf(path, 'open')
      node = new FileNode()
      this.change(dir, name, node)
    }
    if (node instanceof DirNode) throw sysError('EISDIR', 'open', path)
    if (this.locks.has(node)) return undefined
    const file = node
    const token = {}
    this.locks.set(file, token)
    return {
      release: () => {
        if (this.locks.get(file) === token) this.locks.delete(file)
      },
    }
  }

  // ---- handles (called by MemReadable / MemWritable) -------------------

  /** @internal */
  handleCall(kind: FsCallKind, path: string, generation: number, onFail?: (f: FaultSpec) => void): void {
    if (generation !== this.generation) throw sysError('EIO', kind, `${path} (handle opened before a simulated crash)`)
    this.enter(kind, path, onFail)
  }

  // ---- crash simulation ------------------------------------------------

  /** A new filesystem holding what a power loss now would leave; this one is unchanged. */
  crashImage(options: CrashOptions): FaultFileSystem {
    const out = new FaultFileSystem(this.options)
    out.root = survivingTree(this.root, this.changes, options)
    return out
  }

  /** Switches this filesystem to the state after a power loss now; earlier handles die. Faults stay armed. */
  crash(options: CrashOptions): this {
    this.root = survivingTree(this.root, this.changes, options)
    this.changes = []
    this.generation++
    this.locks = new Map()
    return this
  }

  /**
   * An independent copy with the same durability state (what is synced, the
   * unsynced directory changes), no faults armed and fresh counters.
   */
  clone(): FaultFileSystem {
    const out = new FaultFileSystem(this.options)
    const copied = copyTree(this.root, this.changes)
    out.root = copied.root
    out.changes = copied.changes
    out.changeSeq = this.changeSeq
    return out
  }

  /** An exact copy of the current (not crashed) state, everything durable: a process exit with a perfect disk. */
  snapshot(): FaultFileSystem {
    return this.crashImage({mode: 'none'})
  }

  // ---- test conveniences -----------------------------------------------

  private durableParent(path: string, op: string): {dir: DirNode; parts: string[]} {
    return durableParent(this.root, this.norm(path), op)
  }

  /** Writes a whole durable file (parents created, durable too), bypassing counting and faults. */
  writeFileDurable(path: string, data: Uint8Array): void {
    const {dir, parts} = this.durableParent(path, 'open')
    const f = FileNode.withContents(data)
    dir.live.set(parts.at(-1)!, f)
    dir.durable.set(parts.at(-1)!, f)
  }

  /**
   * Moves the tree at `from` to `to` (parents created), durably and without
   * counting: lets a test open a crash image under a path of its own.
   */
  relocate(from: string, to: string): this {
    const src = this.parentOf(from, 'rename')
    const node = src.dir.live.get(src.name)
    if (node === undefined) throw sysError('ENOENT', 'rename', from)
    const {dir, parts} = this.durableParent(to, 'rename')
    if (dir.live.has(parts.at(-1)!)) throw sysError('EEXIST', 'rename', to)
    src.dir.live.delete(src.name)
    src.dir.durable.delete(src.name)
    dir.live.set(parts.at(-1)!, node)
    dir.durable.set(parts.at(-1)!, node)
    return this
  }

  /** Every file below `dir` with its current contents, by absolute path (no counting). */
  listFiles(dir = '/'): Map<string, Buffer> {
    const start = this.lookup(dir, 'scandir')
    return start === undefined ? new Map() : filesBelow(start, this.norm(dir))
  }

  /** Bytes of unsynced file data and unsynced directory changes (0 when everything is durable). */
  unsyncedState(): {files: number; bytes: number; dirChanges: number} {
    return {...unsyncedFiles(this.root), dirChanges: this.changes.length}
  }
}
