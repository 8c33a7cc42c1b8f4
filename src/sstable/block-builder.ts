/**
 * Builds one data block's uncompressed contents (layout in format.ts):
 *
 *   entry*  u32 restart[n]  u32 n
 *
 * A restart is recorded before entry 0, 16, 32, ... (RESTART_INTERVAL).
 * Entries are stored whole (no key prefix compression), so a restart only
 * gives binary search a place to start decoding.
 */
import {encodeEntry} from '../record/codec.js'
import type {Entry} from '../record/format.js'
import {ByteWriter} from '../util/coding.js'
import {RESTART_INTERVAL} from './format.js'

/** Accumulates entries for one data block; reusable after `reset()`. */
export class BlockBuilder {
  private readonly w = new ByteWriter(8192)
  private readonly restarts: number[] = []
  private count = 0

  /** Entries added since the last reset. */
  get entries(): number {
    return this.count
  }

  /** Size of the contents `finish()` would return now. */
  estimatedSize(): number {
    return this.w.length + 4 * this.restarts.length + 4
  }

  /**
   * Appends one entry.
   * REQUIRES: e.key is greater than every key added since the last reset
   * (the table builder checks), and `finish()` has not been called.
   */
  add(e: Entry): void {
    if (this.count % RESTART_INTERVAL === 0) this.restarts.push(this.w.length)
    encodeEntry(this.w, e)
    this.count++
  }

  /**
   * Appends the entry encoded as b[at, end) (record/codec.ts), as it is:
   * what `add` appends for the entry it decodes to.
   * REQUIRES: as `add`, and a whole entry in that range.
   */
  addEncoded(b: Uint8Array, at: number, end: number): void {
    if (this.count % RESTART_INTERVAL === 0) this.restarts.push(this.w.length)
    this.w.range(b, at, end)
    this.count++
  }

  /** Appends the restart array and returns the contents: a view valid until `reset()`. */
  finish(): Buffer {
    for (const r of this.restarts) this.w.u32(r)
    this.w.u32(this.restarts.length)
    return this.w.finish()
  }

  /** Empties the builder, keeping its buffer. */
  reset(): void {
    this.w.reset()
    this.restarts.length = 0
    this.count = 0
  }
}
