/**
 * Reads one data block (layout in format.ts; built by block-builder.ts).
 *
 * The restart array is validated when the block is opened: n fits in the
 * block, restart[0] = 0, offsets strictly increase and point into the entry
 * area. Entries are decoded lazily, one restart interval at a time; decoding
 * an interval checks that every entry lies inside it, that it holds exactly
 * RESTART_INTERVAL entries (the last: 1 .. RESTART_INTERVAL) and that keys
 * strictly increase, including across the intervals an iteration visits.
 * Point lookups (`get`) walk keys in place and fully decode and check only
 * the entry they return; a block crc has already covered the bytes.
 *
 * Returned entries are views into `contents`. Every block has a buffer of its
 * own; the block cache reuses it only for a block marked `pooled`, whose views
 * the reader never hands out (see block-cache.ts).
 */
import {decodeEntry} from '../record/codec.js'
import {Flag, MAX_KEY_BYTES, MAX_VALUE_BYTES, type Entry} from '../record/format.js'
import {compareKeys, compareRanges, compareToRange} from '../util/bytes.js'
import {ByteReader, MAX_VARINT_BYTES} from '../util/coding.js'
import {corruption, StrataError} from '../errors.js'
import {RESTART_INTERVAL} from './format.js'

/** A decoded view of one data block's uncompressed contents. */
export class Block {
  /** Index of the restart array = end of the entry area. */
  private readonly entriesEnd: number
  private readonly restarts: number

  /**
   * @param contents the uncompressed block contents
   * @param file the table's path, for errors
   * @param offset the file offset of the block's contents
   * @param inflated true when `contents` was decompressed: positions in it are
   *   not file offsets, so errors report `offset` and say where inside they are
   */
  constructor(
    readonly contents: Buffer,
    private readonly file: string,
    private readonly offset: number,
    private readonly inflated = false,
  ) {
    const len = contents.length
    if (len < 4) this.fail(`data block of ${len} bytes has no restart count`, 0)
    const n = contents.readUInt32LE(len - 4)
    if (n > (len - 4) / 4) this.fail(`restart count ${n} does not fit in a ${len}-byte block`, len - 4)
    this.restarts = n
    this.entriesEnd = len - 4 - 4 * n
    if (n === 0 && this.entriesEnd !== 0) this.fail('data block has entries but no restart points', len - 4)
    let prev = -1
    for (let i = 0; i < n; i++) {
      const r = this.restart(i)
      const at = this.entriesEnd + 4 * i
      if (i === 0 && r !== 0) this.fail(`first restart is ${r}, not 0`, at)
      if (r <= prev || r >= this.entriesEnd) this.fail(`restart ${i} (${r}) is out of order or past the entries`, at)
      prev = r
    }
  }

  /**
   * The entry with exactly `key`, if the block holds one. Searches in place:
   * keys are compared inside the block's buffer and only the match is
   * decoded (and fully checked). An entry the in-place walk cannot parse
   * sends it to the checked decoder of its interval, which reports it.
   */
  get(key: Buffer): Entry | undefined {
    const r = this.lastRestartBefore(key, true)
    if (r < 0) return undefined
    const end = this.intervalEnd(r)
    let pos = this.restart(r)
    for (let i = 0; pos < end; i++) {
      if (i === RESTART_INTERVAL || !this.locateKey(pos, end)) this.malformed(r)
      const c = compareToRange(key, this.contents, this.keyStart, this.keyEnd)
      if (c === 0) return this.decode(pos, end)
      if (c < 0) return undefined
      pos = this.skipValue(end)
      if (pos < 0) this.malformed(r)
    }
    return undefined
  }

  /** Entries with key >= `from` (all if undefined), in ascending key order. */
  *ascending(from?: Buffer): Generator<Entry> {
    let prev: Entry | undefined
    const first = from === undefined ? 0 : Math.max(0, this.lastRestartBefore(from, true))
    for (let r = first; r < this.restarts; r++) {
      const es = this.interval(r)
      if (prev !== undefined && compareKeys(es[0].key, prev.key) <= 0) this.fail('keys out of order across restarts', this.restart(r))
      for (const e of es) if (from === undefined || compareKeys(e.key, from) >= 0) yield e
      prev = es[es.length - 1]
    }
  }

  /**
   * Visits every entry in ascending key order without decoding it: `visit`
   * gets where the entry starts in `contents`, its key's bounds and where it
   * ends, and returns false to stop the walk (walk then returns false). The
   * structure is checked as an iteration checks it: each restart interval
   * holds RESTART_INTERVAL entries (the last one 1 to RESTART_INTERVAL), every
   * entry parses inside its interval (key and value lengths within the
   * limits) and keys strictly increase. The other fields (kind, flags, the
   * sequence number, expiry, codec, schema) are not checked: a caller walks
   * to compare entries byte for byte with encodings it knows to be valid
   * (rebalance/prove-built.ts), which checks them all at once.
   */
  walk(visit: (pos: number, keyStart: number, keyEnd: number, end: number) => boolean): boolean {
    const b = this.contents
    let prevStart = -1
    let prevEnd = -1
    for (let r = 0; r < this.restarts; r++) {
      const end = this.intervalEnd(r)
      let pos = this.restart(r)
      let count = 0
      while (pos < end) {
        if (count === RESTART_INTERVAL || !this.locateKey(pos, end)) this.malformed(r)
        const next = this.skipValue(end)
        if (next < 0) this.malformed(r)
        const keyStart = this.keyStart
        const keyEnd = this.keyEnd
        if (prevStart >= 0 && compareRanges(b, prevStart, prevEnd, b, keyStart, keyEnd) >= 0) this.fail('keys out of order', pos)
        prevStart = keyStart
        prevEnd = keyEnd
        if (!visit(pos, keyStart, keyEnd, next)) return false
        pos = next
        count++
      }
      if (r + 1 < this.restarts && count !== RESTART_INTERVAL) this.fail(`restart ${r} covers ${count} entries, not ${RESTART_INTERVAL}`, this.restart(r))
    }
    return true
  }

  /** Entries with key < `before` (all if undefined), in descending key order. */
  *descending(before?: Buffer): Generator<Entry> {
    let next: Entry | undefined
    for (let r = before === undefined ? this.restarts - 1 : this.lastRestartBefore(before, false); r >= 0; r--) {
      const es = this.interval(r)
      if (next !== undefined && compareKeys(es[es.length - 1].key, next.key) >= 0) {
        this.fail('keys out of order across restarts', this.restart(r + 1))
      }
      for (let i = es.length - 1; i >= 0; i--) {
        if (before === undefined || compareKeys(es[i].key, before) < 0) yield es[i]
      }
      next = es[0]
    }
  }

  /**
   * True while `contents` is a recyclable buffer (BlockCache.takeBuffer) of
   * which no view has been handed out; see block-cache.ts. Whoever exposes
   * views into the block (an iteration) must clear it.
   */
  pooled = false

  /** Key bounds and flags byte found by the last locateKey. */
  private keyStart = 0
  private keyEnd = 0
  private flags = 0

  /**
   * Finds the key of the entry at `pos` (ending by `end`) without decoding it:
   * sets keyStart, keyEnd and flags. False if the entry cannot be parsed.
   */
  private locateKey(pos: number, end: number): boolean {
    const b = this.contents
    if (pos + 2 > end) return false
    this.flags = b[pos + 1]
    const p = skipVarint(b, pos + 2, end) // sequence number
    if (p < 0) return false
    const n = readLength(b, p, end)
    if (n <= 0 || n > MAX_KEY_BYTES || lengthEnd + n > end) return false
    this.keyStart = lengthEnd
    this.keyEnd = lengthEnd + n
    return true
  }

  /** Where the entry located last ends, or -1 if it cannot be parsed. */
  private skipValue(end: number): number {
    const b = this.contents
    const n = readLength(b, this.keyEnd, end)
    if (n < 0 || n > MAX_VALUE_BYTES) return -1
    let p = lengthEnd + n
    if (this.flags & Flag.HAS_EXPIRY) p += 8
    if (this.flags & Flag.HAS_CODEC) p += 1
    if (this.flags & Flag.HAS_SCHEMA) {
      p = skipVarint(b, p, end)
      if (p >= 0) p = skipVarint(b, p, end)
      if (p < 0) return -1
    }
    return p <= end ? p : -1
  }

  /** Decodes interval r with every check; it throws for the entry the in-place walk could not parse. */
  private malformed(r: number): never {
    this.interval(r)
    this.fail('malformed entry', this.restart(r))
  }

  private restart(i: number): number {
    return this.contents.readUInt32LE(this.entriesEnd + 4 * i)
  }

  private intervalEnd(r: number): number {
    return r + 1 < this.restarts ? this.restart(r + 1) : this.entriesEnd
  }

  /** The last restart whose first key is <= key (< key unless `inclusive`), or -1. */
  private lastRestartBefore(key: Buffer, inclusive: boolean): number {
    let lo = 0
    let hi = this.restarts // answer in [lo - 1, hi - 1]
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (!this.locateKey(this.restart(mid), this.intervalEnd(mid))) this.malformed(mid)
      const c = compareToRange(key, this.contents, this.keyStart, this.keyEnd) // key vs the interval's first key
      if (c > 0 || (inclusive && c === 0)) lo = mid + 1
      else hi = mid
    }
    return lo - 1
  }

  /** Decodes and checks restart interval `r`. */
  private interval(r: number): Entry[] {
    const end = this.intervalEnd(r)
    const out: Entry[] = []
    const reader = new ByteReader(this.contents, this.file, this.inflated ? 0 : this.offset, this.restart(r), end)
    let prev: Buffer | undefined
    while (reader.pos < end) {
      const pos = reader.pos
      if (out.length === RESTART_INTERVAL) this.fail(`more than ${RESTART_INTERVAL} entries after restart ${r}`, pos)
      const entry = this.decodeWith(reader)
      if (prev !== undefined && compareKeys(entry.key, prev) <= 0) this.fail('keys out of order', pos)
      out.push(entry)
      prev = entry.key
    }
    if (r + 1 < this.restarts && out.length !== RESTART_INTERVAL) {
      this.fail(`restart ${r} covers ${out.length} entries, not ${RESTART_INTERVAL}`, this.restart(r))
    }
    return out
  }

  /** Decodes the entry at `pos`, which must end by `end`. */
  private decode(pos: number, end: number): Entry {
    return this.decodeWith(new ByteReader(this.contents, this.file, this.inflated ? 0 : this.offset, pos, end))
  }

  /** Decodes the entry at the reader's position; errors in an inflated block name the block and the position inside it. */
  private decodeWith(r: ByteReader): Entry {
    try {
      return decodeEntry(r)
    } catch (err) {
      if (!this.inflated || !(err instanceof StrataError) || err.offset === undefined) throw err
      this.fail(err.message.slice(this.file.length + 2).replace(/ at byte \d+$/, ''), err.offset)
    }
  }

  private fail(what: string, pos: number): never {
    if (!this.inflated) throw corruption(this.file, this.offset + pos, what)
    throw corruption(this.file, this.offset, `${what} (byte ${pos} of the zlib block's inflated contents)`)
  }
}

/** Where the varint at `p` ends, or -1 if it runs past `end` or is too long. */
function skipVarint(b: Buffer, p: number, end: number): number {
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    if (p >= end) return -1
    if (b[p++] < 0x80) return p
  }
  return -1
}

/** Set by readLength: where the length varint it read ends. */
let lengthEnd = 0

/** The varint length at `p` (setting lengthEnd), or -1 if it runs past `end` or is too long. */
function readLength(b: Buffer, p: number, end: number): number {
  let n = 0
  let scale = 1
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    if (p >= end) return -1
    const x = b[p++]
    n += (x & 0x7f) * scale
    if (x < 0x80) {
      lengthEnd = p
      return n
    }
    scale *= 128
  }
  return -1
}
