/**
 * A least-recently-used cache of decoded data blocks with a byte budget,
 * shared by every table of a store. Long-running processes keep hot blocks
 * decoded (checksummed and inflated once); short CLI commands barely use it.
 */
import type {Block} from './block.js'

export class BlockCache {
  private readonly map = new Map<string, {block: Block; charge: number}>()
  private used = 0
  private nextId = 1

  /** @param capacity byte budget (0 disables the cache) */
  constructor(readonly capacity: number) {}

  /** A fresh id for a table's keys: ids are never reused, so a new file never sees an old file's blocks. */
  newId(): number {
    return this.nextId++
  }

  get(id: number, offset: number): Block | undefined {
    const k = `${id}:${offset}`
    const hit = this.map.get(k)
    if (hit === undefined) return undefined
    // Move to the most-recently-used end.
    this.map.delete(k)
    this.map.set(k, hit)
    return hit.block
  }

  /** Adds a block charged at `charge` bytes; evicts the least recently used beyond the budget. */
  set(id: number, offset: number, block: Block, charge: number): void {
    if (charge > this.capacity) return
    const k = `${id}:${offset}`
    const old = this.map.get(k)
    if (old !== undefined) {
      this.used -= old.charge
      this.map.delete(k)
    }
    this.map.set(k, {block, charge})
    this.used += charge
    for (const [key, v] of this.map) {
      if (this.used <= this.capacity) break
      this.map.delete(key)
      this.used -= v.charge
    }
  }
}
