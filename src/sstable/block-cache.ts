/**
 * A least-recently-used cache of data blocks (checksummed and inflated once)
 * with a byte budget, shared by every table of a store. Long-running
 * processes keep hot blocks in memory; short CLI commands barely use it.
 *
 * Each table gets its own `TableBlocks` (a map from block offset to entry),
 * so a lookup is one numeric map probe; recency is one list across all
 * tables. A closed table drops its blocks at once.
 *
 * Buffer recycling: random point reads fill the cache with blocks and push
 * out as many, each a fresh ~4 KiB buffer. Left to the garbage collector,
 * tens of megabytes of dead buffers pile up before it runs. So a block whose
 * buffer came from `takeBuffer` and whose bytes were never handed out (the
 * reader copies what a point read returns; `Block.pooled` is cleared as soon
 * as an iteration exposes views into it) goes back to a small free list when
 * it leaves the cache, and the next read reuses it.
 */
import type {Block} from './block.js'

/** Pooled buffers come in sizes that are multiples of this. */
const SLOT_BYTES = 1024
/** Blocks larger than this are not pooled. */
const MAX_POOLED_BYTES = 16 * 1024
/** Free buffers kept per size. */
const MAX_FREE_PER_SIZE = 64

interface Node {
  readonly owner: TableBlocks
  readonly offset: number
  readonly block: Block
  readonly charge: number
  prev: Node | undefined
  next: Node | undefined
}

export class BlockCache {
  /** Most recently used end. */
  private head: Node | undefined
  /** Least recently used end. */
  private tail: Node | undefined
  private used = 0

  /** @param capacity byte budget (0 disables the cache) */
  constructor(readonly capacity: number) {}

  /** Bytes charged to the blocks held now. */
  get usedBytes(): number {
    return this.used
  }

  /** The cache of one table's blocks. */
  forTable(): TableBlocks {
    return new TableBlocks(this)
  }

  private readonly free = new Map<number, Buffer[]>()

  /**
   * A buffer of `n` bytes for a block read, reused from an evicted block when
   * one of the right size is free. Its memory is `chargeOf(n)` bytes.
   */
  takeBuffer(n: number): Buffer {
    if (n > MAX_POOLED_BYTES) return Buffer.allocUnsafe(n)
    const size = chargeOf(n)
    const buf = this.free.get(size)?.pop() ?? Buffer.allocUnsafeSlow(size)
    return buf.subarray(0, n)
  }

  /**
   * Gives a buffer from takeBuffer back for reuse.
   * REQUIRES: nothing will read or keep a view of it any more.
   */
  giveBack(buf: Buffer): void {
    const {buffer, byteOffset} = buf
    const size = buffer.byteLength
    if (byteOffset !== 0 || size % SLOT_BYTES !== 0 || size > MAX_POOLED_BYTES) return
    let list = this.free.get(size)
    if (list === undefined) this.free.set(size, (list = []))
    if (list.length < MAX_FREE_PER_SIZE) list.push(Buffer.from(buffer, 0, size))
  }

  private recycle(block: Block): void {
    if (!block.pooled) return
    block.pooled = false
    this.giveBack(block.contents)
  }

  /** @internal */
  touch(n: Node): void {
    if (this.head === n) return
    this.unlink(n)
    this.pushHead(n)
  }

  /** @internal */
  insert(n: Node): void {
    this.pushHead(n)
    this.used += n.charge
    while (this.used > this.capacity && this.tail !== undefined) this.remove(this.tail)
  }

  /** @internal */
  remove(n: Node): void {
    this.unlink(n)
    this.used -= n.charge
    n.owner.forget(n.offset)
    this.recycle(n.block)
  }

  private pushHead(n: Node): void {
    n.prev = undefined
    n.next = this.head
    if (this.head !== undefined) this.head.prev = n
    this.head = n
    if (this.tail === undefined) this.tail = n
  }

  private unlink(n: Node): void {
    if (n.prev !== undefined) n.prev.next = n.next
    else this.head = n.next
    if (n.next !== undefined) n.next.prev = n.prev
    else this.tail = n.prev
    n.prev = n.next = undefined
  }
}

/** One table's view of the shared cache. */
export class TableBlocks {
  private readonly map = new Map<number, Node>()

  constructor(readonly cache: BlockCache) {}

  get(offset: number): Block | undefined {
    const n = this.map.get(offset)
    if (n === undefined) return undefined
    this.cache.touch(n)
    return n.block
  }

  /** Adds the block at `offset`, charged at `charge` bytes; evicts the least recently used beyond the budget. */
  set(offset: number, block: Block, charge: number): void {
    if (charge > this.cache.capacity) return
    const old = this.map.get(offset)
    if (old !== undefined) this.cache.remove(old)
    const n: Node = {owner: this, offset, block, charge, prev: undefined, next: undefined}
    this.map.set(offset, n)
    this.cache.insert(n)
  }

  /** Drops every block of this table. */
  clear(): void {
    for (const n of [...this.map.values()]) this.cache.remove(n)
  }

  /** @internal */
  forget(offset: number): void {
    this.map.delete(offset)
  }
}

/** Memory a block of `n` bytes takes from takeBuffer (its size rounded up to SLOT_BYTES). */
export function chargeOf(n: number): number {
  return Math.ceil(n / SLOT_BYTES) * SLOT_BYTES
}
