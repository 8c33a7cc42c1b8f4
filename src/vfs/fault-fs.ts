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
 * default) with EIO or ENOSPC, once or from then on (`sticky`). `calls` and
 * `callsOf(kind)` count calls, so a test can enumerate every k. As in
 * node-fs, `exists` and `isDirectory` never throw: an injected fault makes
 * them answer false. A failed append writes a prefix of its data when
 * `partialWrite` is set (a short write, then the error).
 */
import * as nodePath from 'node:path'
import type {FileLock, FileSystem, ReadableFile, WritableFile} from './fs.js'
import {DirNode, FileNode, type DirChange, type FsNode} from './fault-tree.js'

/** Every call the fault filesystem counts; handle methods are prefixed by their handle kind. */
export const FS_CALL_KINDS = [
  'openRead', 'create', 'openAppend', 'readFile', 'rename', 'unlink', 'mkdir', 'rmdir', 'readdir',
  'exists', 'isDirectory', 'fileSize', 'syncDir', 'lock',
  'read', 'readSize', 'readClose', 'append', 'sync', 'writeClose',
] as const
export type FsCallKind = (typeof FS_CALL_KINDS)[number]

/** The calls that change what a crash would keep: crash points lie just before them. */
export const MUTATING_KINDS: ReadonlySet<FsCallKind> = new Set<FsCallKind>(['create', 'openAppend', 'rename', 'unlink', 'mkdir', 'rmdir', 'syncDir', 'append', 'sync', 'lock'])

/**
 * What a power loss does to a file's unsynced tail (the bytes appended after
 * its last sync):
 * - 'none': nothing is lost (a process crash, kill -9: the page cache survives);
 * - 'drop': the tail is gone, the file ends at its synced length;
 * - 'zero': the tail reads as zeros (the size reached the disk, the data did not);
 * - 'garbage': the tail reads as random bytes;
 * - 'partial': a random prefix of the tail survives, the file ends there;
 * - 'torn-zero' / 'torn-garbage': the tail survives up to a random 512-byte
 *   sector boundary, and the rest of it reads as zeros / random bytes;
 * - 'mixed': each file independently gets one of drop, zero, garbage, partial.
 * A file cut below its synced length since its last sync keeps its synced contents.
 */
export type CrashMode = 'none' | 'drop' | 'zero' | 'garbage' | 'partial' | 'torn-zero' | 'torn-garbage' | 'mixed'

export const CRASH_MODES: readonly CrashMode[] = ['none', 'drop', 'zero', 'garbage', 'partial', 'torn-zero', 'torn-garbage', 'mixed']

/** Options of a simulated power loss. */
export interface CrashOptions {
  readonly mode: CrashMode
  /** Seeds the random choices (tail lengths, garbage bytes, kept directory changes). Default 1. */
  readonly seed?: number
  /**
   * Unsynced directory changes: 'undo' (default) reverts every one (a created
   * file vanishes, a rename reverts, an unlinked file is back with its synced
   * contents); 'prefix' keeps a random prefix of them in the order they were made.
   * With mode 'none' every change is kept.
   */
  readonly dirChanges?: 'undo' | 'prefix'
}

/** An injected error. */
export interface FaultSpec {
  /** Fail the at-th counted call from now on (1-based). */
  readonly at: number
  /** Calls that count (and fail); default: every kind. */
  readonly kinds?: readonly FsCallKind[]
  /** Only calls on paths matching this count. */
  readonly path?: RegExp
  /** Default 'EIO'. */
  readonly code?: 'EIO' | 'ENOSPC'
  /** Keep failing every counted call after the first failure. Default false. */
  readonly sticky?: boolean
  /** A failing append first writes this fraction (0..1) of its data. Default 0. */
  readonly partialWrite?: number
}

/** A fault that fired: which call, on which path. */
export interface FiredFault {
  readonly kind: FsCallKind
  readonly path: string
  readonly code: string
  /** The filesystem's call counter when it fired. */
  readonly call: number
}

/** Options of a new FaultFileSystem. */
export interface FaultFsOptions {
  /** Order of `readdir` names: 'sorted' (default), or 'reverse' to catch code that relies on an order. */
  readonly readdirOrder?: 'sorted' | 'reverse'
}

const ERRNO: Record<string, [number, string]> = {
  ENOENT: [-2, 'no such file or directory'],
  EIO: [-5, 'i/o error'],
  EBADF: [-9, 'bad file descriptor'],
  EEXIST: [-17, 'file already exists'],
  ENOTDIR: [-20, 'not a directory'],
  EISDIR: [-21, 'illegal operation on a directory'],
  EINVAL: [-22, 'invalid argument'],
  ENOSPC: [-28, 'no space left on device'],
  ENOTEMPTY: [-39, 'directory not empty'],
}

/** An Error shaped like Node's system errors (code, errno, syscall, path). */
export function sysError(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  const [errno, text] = ERRNO[code] ?? [-5, code]
  const err = new Error(`${code}: ${text}, ${syscall} '${path}'`) as NodeJS.ErrnoException
  err.code = code
  err.errno = errno
  err.syscall = syscall
  err.path = path
  return err
}

/** A small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

interface ActiveFault extends FaultSpec {
  counted: number
  firing: boolean
}

/** See the module comment. */
export class FaultFileSystem implements FileSystem {
  private root = new DirNode()
  /** Unsynced directory changes, oldest first. */
  private changes: DirChange[] = []
  private changeSeq = 0
  /** Bumped by crash(): handles of an older generation are dead. */
  private generation = 0
  /** Held locks: the file's node and the token of the lock that holds it. */
  private locks = new Map<FileNode, object>()
  private faults: ActiveFault[] = []
  private readonly byKind = new Map<FsCallKind, number>()
  /** Every counted call so far. */
  calls = 0
  /** Faults that fired, in order. */
  readonly fired: FiredFault[] = []
  /** Called at the start of each counted call, before a fault may fail it; `calls` already counts it. */
  onCall: ((kind: FsCallKind, path: string) => void) | undefined

  constructor(private readonly options: FaultFsOptions = {}) {}

  // ---- instrumentation -------------------------------------------------

  /** Calls of `kind` so far. */
  callsOf(kind: FsCallKind): number {
    return this.byKind.get(kind) ?? 0
  }

  /** Arms a fault; see FaultSpec. Returns this. */
  injectFault(spec: FaultSpec): this {
    if (!(Number.isInteger(spec.at) && spec.at >= 1)) throw new RangeError(`fault position must be a positive integer, got ${spec.at}`)
    this.faults.push({...spec, counted: 0, firing: false})
    return this
  }

  /** Disarms every fault (a healthy filesystem over the same state). */
  clearFaults(): this {
    this.faults = []
    return this
  }

  /**
   * Counts a call and throws if a fault fires on it. For exists/isDirectory
   * the caller turns the throw into `false`.
   */
  private enter(kind: FsCallKind, path: string, onFail?: (f: ActiveFault) => void): void {
    this.calls++
    this.byKind.set(kind, (this.byKind.get(kind) ?? 0) + 1)
    this.onCall?.(kind, path)
    for (const f of this.faults) {
      if (f.kinds !== undefined && !f.kinds.includes(kind)) continue
      if (f.path !== undefined && !f.path.test(path)) continue
      f.counted++
      if (f.counted === f.at || (f.firing && f.sticky)) {
        f.firing = true
        const code = f.code ?? 'EIO'
        this.fired.push({kind, path, code, call: this.calls})
        onFail?.(f)
        throw sysError(code, kind, path)
      }
    }
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
    out.root = this.survivingTree(options)
    return out
  }

  /** Switches this filesystem to the state after a power loss now; earlier handles die. Faults stay armed. */
  crash(options: CrashOptions): this {
    this.root = this.survivingTree(options)
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
    const copies = new Map<FsNode, FsNode>()
    const copy = (node: FsNode): FsNode => {
      const done = copies.get(node)
      if (done !== undefined) return done
      if (node instanceof FileNode) {
        const f = new FileNode()
        f.buf = Buffer.from(node.buf)
        f.length = node.length
        f.durableBuf = node.durableBuf === node.buf ? f.buf : Buffer.from(node.durableContents())
        f.durableLength = node.durableLength
        f.syncedPrefix = node.syncedPrefix
        copies.set(node, f)
        return f
      }
      const d = new DirNode()
      copies.set(node, d)
      for (const [name, child] of node.live) d.live.set(name, copy(child))
      for (const [name, child] of node.durable) d.durable.set(name, copy(child))
      return d
    }
    out.root = copy(this.root) as DirNode
    for (const c of this.changes) out.changes.push({seq: c.seq, dir: copy(c.dir) as DirNode, name: c.name, node: c.node === undefined ? undefined : copy(c.node)})
    out.changeSeq = this.changeSeq
    return out
  }

  /** An exact copy of the current (not crashed) state, everything durable: a process exit with a perfect disk. */
  snapshot(): FaultFileSystem {
    return this.crashImage({mode: 'none'})
  }

  private survivingTree(options: CrashOptions): DirNode {
    const rand = prng(options.seed ?? 1)
    const keepAll = options.mode === 'none'
    let cut = -1
    if (!keepAll && options.dirChanges === 'prefix' && this.changes.length > 0) {
      const seqs = [...new Set(this.changes.map((c) => c.seq))]
      const kept = Math.floor(rand() * (seqs.length + 1))
      cut = kept === 0 ? -1 : seqs[kept - 1]
    }
    const entriesAfterCrash = (dir: DirNode): Map<string, FsNode> => {
      if (keepAll) return dir.live
      const m = new Map(dir.durable)
      for (const c of this.changes) {
        if (c.dir !== dir || c.seq > cut) continue
        if (c.node === undefined) m.delete(c.name)
        else m.set(c.name, c.node)
      }
      return m
    }
    const copies = new Map<FsNode, FsNode>()
    const copy = (node: FsNode): FsNode => {
      const done = copies.get(node)
      if (done !== undefined) return done
      if (node instanceof FileNode) {
        const f = FileNode.withContents(keepAll ? node.contents() : fileAfterCrash(node, options.mode, rand))
        copies.set(node, f)
        return f
      }
      const d = new DirNode()
      copies.set(node, d)
      for (const [name, child] of [...entriesAfterCrash(node)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) d.live.set(name, copy(child))
      d.durable = new Map(d.live)
      return d
    }
    return copy(this.root) as DirNode
  }

  // ---- test conveniences -----------------------------------------------

  /** The directory that will hold `path`, its missing ancestors created durably; `parts` are the path's components. */
  private durableParent(path: string, op: string): {dir: DirNode; parts: string[]} {
    const parts = this.norm(path).split('/').filter((p) => p.length > 0)
    let dir = this.root
    for (const p of parts.slice(0, -1)) {
      let next = dir.live.get(p)
      if (next === undefined) {
        next = new DirNode()
        dir.live.set(p, next)
        dir.durable.set(p, next)
      }
      if (!(next instanceof DirNode)) throw sysError('ENOTDIR', op, path)
      dir = next
    }
    return {dir, parts}
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
    const out = new Map<string, Buffer>()
    const start = this.lookup(dir, 'scandir')
    const walk = (node: FsNode, at: string): void => {
      if (node instanceof FileNode) out.set(at, Buffer.from(node.contents()))
      else for (const [name, child] of [...node.live].sort(([a], [b]) => (a < b ? -1 : 1))) walk(child, nodePath.posix.join(at, name))
    }
    if (start !== undefined) walk(start, this.norm(dir))
    return out
  }

  /** Bytes of unsynced file data and unsynced directory changes (0 when everything is durable). */
  unsyncedState(): {files: number; bytes: number; dirChanges: number} {
    let files = 0
    let bytes = 0
    const walk = (node: FsNode): void => {
      if (node instanceof FileNode) {
        const tail = node.unsyncedTail()
        const n = tail === undefined ? node.length + 1 : tail.length
        if (n > 0) {
          files++
          bytes += n
        }
      } else {
        for (const child of node.live.values()) walk(child)
      }
    }
    walk(this.root)
    return {files, bytes, dirChanges: this.changes.length}
  }
}

/** What survives of `f` in `mode` (see CrashMode). */
function fileAfterCrash(f: FileNode, mode: CrashMode, rand: () => number): Buffer {
  const durable = f.durableContents()
  const tail = f.unsyncedTail()
  if (tail === undefined || tail.length === 0) return Buffer.from(durable)
  const garbage = (n: number): Buffer => {
    const b = Buffer.allocUnsafe(n)
    for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256)
    return b
  }
  if (mode === 'mixed') mode = (['drop', 'zero', 'garbage', 'partial'] as const)[Math.floor(rand() * 4)]
  switch (mode) {
    case 'drop':
      return Buffer.from(durable)
    case 'zero':
      return Buffer.concat([durable, Buffer.alloc(tail.length)])
    case 'garbage':
      return Buffer.concat([durable, garbage(tail.length)])
    case 'partial':
      return Buffer.concat([durable, tail.subarray(0, Math.floor(rand() * (tail.length + 1)))])
    case 'torn-zero':
    case 'torn-garbage': {
      // Sector boundaries are absolute file offsets; keep real data up to one of them inside the tail.
      const start = durable.length
      const end = start + tail.length
      const first = Math.ceil(start / 512) * 512
      const bounds: number[] = [start]
      for (let b = first; b < end; b += 512) if (b > start) bounds.push(b)
      const keep = bounds[Math.floor(rand() * bounds.length)] - start
      const rest = tail.length - keep
      return Buffer.concat([durable, tail.subarray(0, keep), mode === 'torn-zero' ? Buffer.alloc(rest) : garbage(rest)])
    }
    default:
      return Buffer.from(f.contents())
  }
}

class MemReadable implements ReadableFile {
  private closed = false

  constructor(private readonly fs: FaultFileSystem, private readonly node: FileNode, private readonly path: string, private readonly generation: number) {}

  private check(kind: FsCallKind): void {
    if (this.closed) throw sysError('EBADF', kind, this.path)
    this.fs.handleCall(kind, this.path, this.generation)
  }

  read(buffer: Buffer, offset: number, length: number, position: number): number {
    this.check('read')
    if (!(Number.isSafeInteger(position) && position >= 0)) throw sysError('EINVAL', 'read', this.path)
    if (offset < 0 || length < 0 || offset + length > buffer.length) throw new RangeError(`read of ${length} bytes at ${offset} outside a ${buffer.length}-byte buffer`)
    const data = this.node.contents()
    if (position >= data.length) return 0
    const n = Math.min(length, data.length - position)
    data.copy(buffer, offset, position, position + n)
    return n
  }

  size(): number {
    this.check('readSize')
    return this.node.length
  }

  close(): void {
    if (this.closed) throw sysError('EBADF', 'close', this.path)
    this.closed = true
    this.fs.handleCall('readClose', this.path, this.generation)
  }
}

class MemWritable implements WritableFile {
  private closed = false

  constructor(private readonly fs: FaultFileSystem, private readonly node: FileNode, private readonly path: string, private readonly generation: number) {}

  append(data: Uint8Array): void {
    if (this.closed) throw sysError('EBADF', 'write', this.path)
    this.fs.handleCall('append', this.path, this.generation, (f) => {
      const n = Math.floor((f.partialWrite ?? 0) * data.length)
      if (n > 0) this.node.append(data.subarray(0, n))
    })
    this.node.append(data)
  }

  sync(): void {
    if (this.closed) throw sysError('EBADF', 'fdatasync', this.path)
    this.fs.handleCall('sync', this.path, this.generation)
    this.node.sync()
  }

  size(): number {
    return this.node.length
  }

  close(): void {
    if (this.closed) throw sysError('EBADF', 'close', this.path)
    this.closed = true
    this.fs.handleCall('writeClose', this.path, this.generation)
  }
}
