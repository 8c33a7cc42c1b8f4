/**
 * The in-memory file tree behind FaultFileSystem (fault-fs.ts): files and
 * directories that remember what is durable.
 *
 * A file keeps its current bytes and its durable bytes (as of its last
 * sync). Appends never rewrite earlier bytes, so the durable view can share
 * the current buffer until a truncation cuts below it.
 *
 * A directory keeps its live entries and its durable entries (as of its last
 * syncDir). Every change to a directory is logged in one global, ordered
 * list until its directory is synced, so a crash can undo all unsynced
 * changes or keep an ordered prefix of them (a journaling filesystem commits
 * metadata in order).
 *
 * @internal
 */
import * as nodePath from 'node:path'
import {sysError} from './fault-spec.js'

/** Where a file's bytes stand. */
export class FileNode {
  /** Current contents: buf[0, length). Bytes past `length` are scratch. */
  buf: Buffer = Buffer.alloc(0)
  length = 0
  /** Durable contents: durableBuf[0, durableLength). */
  durableBuf: Buffer = this.buf
  durableLength = 0
  /** Bytes at the start of the current contents known to equal the durable contents. */
  syncedPrefix = 0

  static withContents(data: Uint8Array, durable = true): FileNode {
    const f = new FileNode()
    f.append(data)
    if (durable) f.sync()
    return f
  }

  contents(): Buffer {
    return this.buf.subarray(0, this.length)
  }

  durableContents(): Buffer {
    return this.durableBuf.subarray(0, this.durableLength)
  }

  append(data: Uint8Array): void {
    const need = this.length + data.length
    if (need > this.buf.length) {
      let cap = Math.max(256, this.buf.length * 2)
      while (cap < need) cap *= 2
      const next = Buffer.alloc(cap)
      this.buf.copy(next, 0, 0, this.length)
      // The durable view keeps the old buffer, whose first durableLength bytes never change.
      this.buf = next
    }
    this.buf.set(data, this.length)
    this.length = need
  }

  /** ftruncate: shorten, or extend with zeros. */
  truncate(size: number): void {
    if (size < this.length) {
      if (size < this.durableLength && this.durableBuf === this.buf) {
        // Later appends would overwrite bytes the durable view still needs.
        this.durableBuf = Buffer.from(this.durableContents())
      }
      this.length = size
      this.syncedPrefix = Math.min(this.syncedPrefix, size)
    } else if (size > this.length) {
      this.append(Buffer.alloc(size - this.length))
    }
  }

  sync(): void {
    this.durableBuf = this.buf
    this.durableLength = this.length
    this.syncedPrefix = this.length
  }

  /** The unsynced bytes appended after the durable contents, or undefined if the file was cut below them since. */
  unsyncedTail(): Buffer | undefined {
    if (this.syncedPrefix < this.durableLength) return undefined
    return this.buf.subarray(this.durableLength, this.length)
  }
}

/** A directory: live entries, and the entries its last syncDir made durable. */
export class DirNode {
  readonly live = new Map<string, FsNode>()
  durable = new Map<string, FsNode>()
}

export type FsNode = FileNode | DirNode

/** One logged, not yet durable, change to a directory's entries. */
export interface DirChange {
  /** Global order of the change. Two halves of a rename share it. */
  readonly seq: number
  readonly dir: DirNode
  readonly name: string
  /** The node now under `name`, or undefined when the name was removed. */
  readonly node: FsNode | undefined
}

// ---- whole-tree helpers of the test conveniences (no counting, no faults) ----

/** The directory that will hold absolute path `abs`, its missing ancestors created durably; `parts` are the path's components. */
export function durableParent(root: DirNode, abs: string, op: string): {dir: DirNode; parts: string[]} {
  const parts = abs.split('/').filter((p) => p.length > 0)
  let dir = root
  for (const p of parts.slice(0, -1)) {
    let next = dir.live.get(p)
    if (next === undefined) {
      next = new DirNode()
      dir.live.set(p, next)
      dir.durable.set(p, next)
    }
    if (!(next instanceof DirNode)) throw sysError('ENOTDIR', op, abs)
    dir = next
  }
  return {dir, parts}
}

/** Every file below `start` (at absolute path `at`) with its current contents, by absolute path, in name order. */
export function filesBelow(start: FsNode, at: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>()
  const walk = (node: FsNode, path: string): void => {
    if (node instanceof FileNode) out.set(path, Buffer.from(node.contents()))
    else for (const [name, child] of [...node.live].sort(([a], [b]) => (a < b ? -1 : 1))) walk(child, nodePath.posix.join(path, name))
  }
  walk(start, at)
  return out
}

/** Files below `root` with unsynced bytes, and how many such bytes (a file cut below its synced length counts its length + 1). */
export function unsyncedFiles(root: DirNode): {files: number; bytes: number} {
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
  walk(root)
  return {files, bytes}
}
