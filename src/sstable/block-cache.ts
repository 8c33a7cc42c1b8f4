/**
 * A least-recently-used cache of data blocks (checksummed and inflated once)
 * with a byte budget, shared by every table of a store. Long-running
 * processes keep hot blocks in memory; short CLI commands barely use it.
 *
 * Each table gets its own `TableBlocks` (a map from block offset to entry),
 * so a lookup is one numeric map probe; recency is one list across all
 * tables. A closed table drops its blocks at once.
 */
import type {Block} from './block.js'

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

  constructor(private readonly cache: BlockCache) {}

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
