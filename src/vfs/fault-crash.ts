/**
 * What a simulated power loss leaves of FaultFileSystem's tree (fault-fs.ts):
 * each directory's durable entries plus the unsynced changes the crash keeps
 * (none, or an ordered prefix), each file's synced bytes plus what the crash
 * mode makes of its unsynced tail. And a copy of a tree that keeps its
 * durability state, for clones.
 */
import {DirNode, FileNode, type DirChange, type FsNode} from './fault-tree.js'
import {prng, type CrashMode, type CrashOptions} from './fault-spec.js'

/** The tree a power loss now would leave of `root` whose unsynced directory changes are `changes`. */
export function survivingTree(root: DirNode, changes: readonly DirChange[], options: CrashOptions): DirNode {
  const rand = prng(options.seed ?? 1)
  const keepAll = options.mode === 'none'
  let cut = -1
  if (!keepAll && options.dirChanges === 'prefix' && changes.length > 0) {
    const seqs = [...new Set(changes.map((c) => c.seq))]
    const kept = Math.floor(rand() * (seqs.length + 1))
    cut = kept === 0 ? -1 : seqs[kept - 1]
  }
  const entriesAfterCrash = (dir: DirNode): Map<string, FsNode> => {
    if (keepAll) return dir.live
    const m = new Map(dir.durable)
    for (const c of changes) {
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
  return copy(root) as DirNode
}

/** A copy of `root` with its durability state (file sync points, unsynced directory changes `changes`). */
export function copyTree(root: DirNode, changes: readonly DirChange[]): {root: DirNode; changes: DirChange[]} {
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
  return {root: copy(root) as DirNode, changes: changes.map((c) => ({seq: c.seq, dir: copy(c.dir) as DirNode, name: c.name, node: c.node === undefined ? undefined : copy(c.node)}))}
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
