/**
 * The newest version of every key of a set of sources, read where its
 * record lies (in a table's block, or in the one encoding of a memtable
 * entry) instead of being decoded into an Entry: the merge that compactions
 * and the whole-shard passes (a rebalance's read pass, the digest) run over
 * millions of records, where the objects a decoded iteration makes per
 * record cost more than the work done with each.
 *
 * Sources are cursors, newest first among equal keys by sequence number: a
 * level-0 table alone or a level's tables in key order (TableChainCursor, read
 * with every check of an iteration, TableReader.walkBlock), or a memtable
 * view's entries (EntryCursor, each entry encoded once). The fields a walk
 * does not check (kind, flags, key and value limits, expiry, codec, schema
 * reference) are checked here, as the record decoder checks them; an
 * entry that is not a plain put or tombstone with valid fields goes to the
 * record decoder, which reports exactly what is wrong with it.
 */
import {ByteReader, ByteWriter, varintAt, varintEndAt} from '../util/coding.js'
import {CursorHeap} from '../util/heap.js'
import {compareRanges} from '../util/bytes.js'
import {decodeEntry, encodeEntry, trustedLayoutAt, type EntryLayout} from '../record/codec.js'
import {Flag, Kind, MAX_KEY_BYTES, MAX_VALUE_BYTES, RESERVED_FLAGS, ValueCodec, type Entry} from '../record/format.js'
import {expiresAtProblem} from '../record/limits.js'
import type {TableReader} from '../sstable/reader.js'

const NO_BYTES = Buffer.alloc(0)
const TWO_32 = 2 ** 32

/** Where an encoded entry (record/codec.ts's layout) lies, and its sequence number. */
export class EntryPosition {
  /** The bytes the entry lies in; a cursor does not overwrite them when it moves on. */
  bytes: Buffer = NO_BYTES
  pos = 0
  keyStart = 0
  keyEnd = 0
  end = 0
  seq = 0
}

/** One source of the merge, positioned on an entry. */
export interface InPlaceCursor extends EntryPosition {
  /** Where the current entry was read from, for errors. */
  readonly file: string
  /** Moves to the next entry in key order; false past the last. */
  next(): boolean
}

/** A level-0 table, or a level's tables in key order, read block by block in place. */
export class TableChainCursor extends EntryPosition implements InPlaceCursor {
  /** The current block's entries: start, key start, key end and end of each. */
  private offsets: number[] = []
  private k = 0
  private table = 0
  private block = 0
  private blocks = -1

  constructor(private readonly tables: readonly TableReader[]) {
    super()
  }

  get file(): string {
    return this.tables[Math.min(this.table, this.tables.length - 1)].path
  }

  next(): boolean {
    while (this.k >= this.offsets.length) if (!this.load()) return false
    const o = this.offsets
    const k = this.k
    this.pos = o[k]
    this.keyStart = o[k + 1]
    this.keyEnd = o[k + 2]
    this.end = o[k + 3]
    this.k = k + 4
    this.seq = varintAt(this.bytes, this.pos + 2)
    return true
  }

  /** Reads the chain's next block (checked as walk checks it); false past the last. */
  private load(): boolean {
    while (this.table < this.tables.length) {
      const r = this.tables[this.table]
      if (this.blocks < 0) this.blocks = r.dataBlockCount()
      if (this.block < this.blocks) {
        const offsets: number[] = []
        r.walkBlock(this.block++, (b, pos, keyStart, keyEnd, end) => {
          this.bytes = b
          offsets.push(pos, keyStart, keyEnd, end)
          return true
        })
        this.offsets = offsets
        this.k = 0
        return true
      }
      this.table++
      this.block = 0
      this.blocks = -1
    }
    return false
  }
}

/** Entries in key order (a memtable view's), each encoded into its own buffer as it comes. */
export class EntryCursor extends EntryPosition implements InPlaceCursor {
  private readonly layout: EntryLayout = {kind: Kind.PUT, flags: 0, seq: 0, keyStart: 0, keyEnd: 0, valueLength: 0, end: 0}

  constructor(
    private readonly entries: Iterator<Entry>,
    readonly file: string,
  ) {
    super()
  }

  next(): boolean {
    const r = this.entries.next()
    if (r.done === true) return false
    const w = new ByteWriter(r.value.key.length + r.value.value.length + 32)
    encodeEntry(w, r.value)
    const b = w.finish()
    const l = this.layout
    trustedLayoutAt(b, 0, l)
    this.bytes = b
    this.keyStart = l.keyStart
    this.keyEnd = l.keyEnd
    this.end = l.end
    this.seq = l.seq
    return true
  }
}

/**
 * The newest version of one key, as `forEachNewest` hands it over: where it
 * lies and its fields. Valid during the call only (the object is reused).
 */
export class InPlaceRecord extends EntryPosition {
  kind: number = Kind.PUT
  flags = 0
  valueStart = 0
  valueEnd = 0
  expiresAt: number | undefined = undefined
  codec: number = ValueCodec.RAW
  schemaId: number | undefined = undefined
  schemaVersion = 0
  file = ''

  /** A put that has not expired at `at` (ms since the epoch). */
  isLive(at: number): boolean {
    return this.kind === Kind.PUT && (this.expiresAt === undefined || this.expiresAt > at)
  }

  get json(): boolean {
    return (this.flags & Flag.JSON) !== 0
  }

  /** The record decoded (key and value are views into its bytes): for a value stored with a codec. */
  decode(): Entry {
    return decodeEntry(new ByteReader(this.bytes, this.file, 0, this.pos, this.end))
  }
}

/** Newest first among equal keys: smaller key, or the same key with a higher sequence number. */
function before(a: InPlaceCursor, b: InPlaceCursor): boolean {
  const c = compareRanges(a.bytes, a.keyStart, a.keyEnd, b.bytes, b.keyStart, b.keyEnd)
  return c < 0 || (c === 0 && a.seq > b.seq)
}

/**
 * Calls `visit` with the newest version of every key of `sources` (newest
 * first among equal keys by sequence number), tombstones and expired puts
 * included, in key order. Older versions are skipped unread. Throws the
 * record decoder's CORRUPTION for an entry whose fields are not valid.
 */
export function forEachNewest(sources: readonly InPlaceCursor[], visit: (r: InPlaceRecord) => void): void {
  const heap = new CursorHeap(sources.slice(), before)
  const h = heap.items
  const r = new InPlaceRecord()
  while (h.length > 0) {
    const c = h[0]
    const b = c.bytes
    const pos = c.pos
    const keyStart = c.keyStart
    const keyEnd = c.keyEnd
    const end = c.end
    const seq = c.seq
    const file = c.file
    heap.advanceTop()
    while (h.length > 0 && compareRanges(h[0].bytes, h[0].keyStart, h[0].keyEnd, b, keyStart, keyEnd) === 0) heap.advanceTop()

    const kind = b[pos]
    const flags = b[pos + 1]
    // The value, and the fields after it as the flags say; anything unusual goes to the decoder.
    const valueLength = varintAt(b, keyEnd)
    let q = varintEndAt(b, keyEnd)
    const valueStart = q
    const valueEnd = q + valueLength
    q = valueEnd
    let expiresAt: number | undefined
    let codec: number = ValueCodec.RAW
    let schemaId: number | undefined
    let schemaVersion = 0
    const keyLength = keyEnd - keyStart
    let plain =
      (kind === Kind.PUT || (kind === Kind.DELETE && valueLength === 0)) &&
      (flags & RESERVED_FLAGS) === 0 &&
      seq <= Number.MAX_SAFE_INTEGER &&
      keyLength >= 1 &&
      keyLength <= MAX_KEY_BYTES &&
      valueLength <= MAX_VALUE_BYTES
    if (plain && flags & Flag.HAS_EXPIRY) {
      expiresAt = b.readUInt32LE(q + 4) * TWO_32 + b.readUInt32LE(q)
      q += 8
      plain = expiresAtProblem(expiresAt) === undefined
    }
    if (plain && flags & Flag.HAS_CODEC) codec = b[q++]
    if (plain && flags & Flag.HAS_SCHEMA) {
      schemaId = varintAt(b, q)
      q = varintEndAt(b, q)
      schemaVersion = varintAt(b, q)
      q = varintEndAt(b, q)
      plain = schemaId <= Number.MAX_SAFE_INTEGER && schemaVersion <= Number.MAX_SAFE_INTEGER
    }
    if (!plain || q !== end || (codec !== ValueCodec.RAW && codec !== ValueCodec.ZLIB)) {
      // Throws the decoder's own CORRUPTION for what is wrong (a walk-parsed entry it accepts is a bug).
      decodeEntry(new ByteReader(b, file, 0, pos, end))
      throw new Error(`${file}: an entry the in-place read could not parse decodes (bug)`)
    }
    r.bytes = b
    r.pos = pos
    r.keyStart = keyStart
    r.keyEnd = keyEnd
    r.end = end
    r.seq = seq
    r.kind = kind
    r.flags = flags
    r.valueStart = valueStart
    r.valueEnd = valueEnd
    r.expiresAt = expiresAt
    r.codec = codec
    r.schemaId = schemaId
    r.schemaVersion = schemaVersion
    r.file = file
    visit(r)
  }
}
