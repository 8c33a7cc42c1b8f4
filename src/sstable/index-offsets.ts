/**
 * The v2 index block (layout in format.ts): the v1 entries, then where each
 * one starts and how many there are:
 *
 *   index_entry*  u32 entry_offset[n]  u32 n
 *
 * OffsetIndex searches it in place. Opening one reads only the count, and
 * the first and last entries (the data region's two ends), so a reopened
 * store's first get costs a binary search, not a pass over the index: a
 * loop over every offset, run once per table while the code is still cold,
 * cost about 10 ms per million records. Each entry a lookup touches is
 * checked: its slot (from its offset to the next one, or to the offset
 * array) lies inside the entries and its entry fills it exactly. What a
 * lookup cannot see (offsets and last keys strictly increasing, blocks laid
 * end to end) `checkAll` checks with the v1 rules before anything iterates
 * the table or shows its index; the index block's crc has covered every
 * byte. Every read stays inside the block whatever the offsets say.
 */
import {MAX_KEY_BYTES} from '../record/format.js'
import {corruption} from '../errors.js'
import {compareToRange} from '../util/bytes.js'
import {MAX_VARINT_BYTES, type ByteWriter} from '../util/coding.js'
import {BLOCK_TRAILER_SIZE, type BlockHandle} from './format.js'
import {checkedDecode, indexEntries, MIN_ENTRY_BYTES, type IndexEntry, type TableIndex} from './index-block.js'

/** Appends the v2 tail to an index block's entries: their offsets (`offsets[i]` = where entry i starts), then the count. */
export function encodeIndexOffsets(w: ByteWriter, offsets: readonly number[]): void {
  for (const o of offsets) w.u32(o)
  w.u32(offsets.length)
}

/** A v2 index block, searched in place; see the module comment. */
export class OffsetIndex implements TableIndex {
  /** Number of data blocks. */
  readonly length: number
  /** Where entry_offset[] starts: the end of the entries. */
  private readonly arrayAt: number
  /** Key bounds of the entry the last `locate` found. */
  private keyStart = 0
  private keyEnd = 0
  private checked = false

  /**
   * Opens a v2 index block (`offset`: its file offset, for errors) whose
   * data blocks must end at `dataEnd`; checks what the module comment says.
   */
  constructor(
    private readonly contents: Buffer,
    private readonly file: string,
    private readonly offset: number,
    private readonly dataEnd: number,
  ) {
    const len = contents.length
    if (len < 4) this.fail('index block too short for its entry count', 0)
    const n = contents.readUInt32LE(len - 4)
    if (n === 0) this.fail('index block is empty', len - 4)
    if (n > (len - 4) / (4 + MIN_ENTRY_BYTES)) this.fail(`index entry count ${n} does not fit in a ${len}-byte block`, len - 4)
    this.length = n
    this.arrayAt = len - 4 - 4 * n
    if (contents.readUInt32LE(this.arrayAt) !== 0) this.fail('index entry offset 0 is not 0', this.arrayAt)
    if (this.blockOffset(0) !== 0) this.fail(`data block at ${this.blockOffset(0)}, expected 0`, this.keyEnd)
    const end = this.blockOffset(n - 1) + this.blockSize(n - 1) + BLOCK_TRAILER_SIZE
    if (end !== dataEnd) this.fail(`data blocks end at ${end}, but the filter block starts at ${dataEnd}`, this.keyEnd)
  }

  lastKey(i: number): Buffer {
    this.locate(i)
    return this.contents.subarray(this.keyStart, this.keyEnd)
  }

  blockOffset(i: number): number {
    this.locate(i)
    const b = this.contents
    const p = this.keyEnd
    const lo = (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0
    const hi = (b[p + 4] | (b[p + 5] << 8) | (b[p + 6] << 16) | (b[p + 7] << 24)) >>> 0
    if (hi > 0x1f_ffff) this.fail('block offset is not a safe integer', p)
    return hi * 0x1_0000_0000 + lo
  }

  blockSize(i: number): number {
    this.locate(i)
    return this.contents.readUInt32LE(this.keyEnd + 8)
  }

  handle(i: number): BlockHandle {
    return {offset: this.blockOffset(i), size: this.blockSize(i)}
  }

  compareLastKey(key: Buffer, i: number): number {
    this.locate(i)
    return compareToRange(key, this.contents, this.keyStart, this.keyEnd)
  }

  search(key: Buffer): number {
    let lo = 0
    let hi = this.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      this.locate(mid)
      if (compareToRange(key, this.contents, this.keyStart, this.keyEnd) > 0) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  checkAll(): void {
    if (this.checked) return
    // Every entry fills its slot, so the entries parse the same read in
    // sequence; the v1 rules then cover order and layout.
    // Every slot is checked, so the offsets are strictly increasing and within the entries.
    for (let i = 0; i < this.length; i++) this.locate(i)
    checkedDecode(this.contents.subarray(0, this.arrayAt), this.file, this.offset, this.dataEnd)
    this.checked = true
  }

  entries(): IndexEntry[] {
    this.checkAll()
    return indexEntries(this)
  }

  /** Sets keyStart/keyEnd to entry i's key; CORRUPTION unless the entry fills its slot exactly. */
  private locate(i: number): void {
    const b = this.contents
    const at = this.arrayAt + 4 * i
    let p = (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0
    const end = i + 1 < this.length ? b.readUInt32LE(at + 4) : this.arrayAt
    if (end > this.arrayAt || p + MIN_ENTRY_BYTES > end) this.fail(`index entry offset ${i} (${p}) is out of order or leaves no room for its entry`, at)
    let len = 0
    let scale = 1
    for (let k = 0; ; k++) {
      if (p >= end || k === MAX_VARINT_BYTES) this.fail(`index entry ${i} has a malformed key length`, p)
      const x = b[p++]
      len += (x & 0x7f) * scale
      if (x < 0x80) break
      scale *= 128
    }
    if (len === 0 || len > MAX_KEY_BYTES || p + len + 12 !== end) this.fail(`index entry ${i} does not fill its slot [${p}, ${end})`, p)
    this.keyStart = p
    this.keyEnd = p + len
  }

  private fail(what: string, pos: number): never {
    throw corruption(this.file, this.offset + pos, what)
  }
}
