/**
 * The read pass over an old shard that is all tables (its memtable empty:
 * a real run flushes it first), reading the tables in place: the newest
 * version of each key is found by merging the entries where they lie in
 * their blocks, and a live record is hashed, routed and, if it moves, packed
 * from its bytes, without being decoded into objects (plan.ts says what the
 * pass computes; `readShard` there is the same pass over decoded entries,
 * for a shard that is not all tables). A record whose value is stored with
 * a codec is decoded, as its hash needs the value undone.
 *
 * The tables are read with every check of an iteration (TableReader.walk);
 * the fields an entry holds beyond its lengths are checked here, and any
 * entry that is not a plain put or tombstone with valid fields is decoded by
 * the record decoder, which reports exactly what is wrong with it.
 */
import {ByteReader, varintAt, varintEndAt} from '../util/coding.js'
import {CursorHeap} from '../util/heap.js'
import {compareRanges} from '../util/bytes.js'
import {hashKey, shardOfHash} from '../util/hash.js'
import {decodeEntry} from '../record/codec.js'
import {Flag, Kind, RESERVED_FLAGS, ValueCodec} from '../record/format.js'
import {expiresAtProblem} from '../record/limits.js'
import type {RecordHasher} from '../digest/format.js'
import type {TableReader} from '../sstable/reader.js'
import type {ShardPlan} from './plan.js'
import {PackedKeys, PackedRun} from './moved-run.js'
import {Sum256} from '../digest/sum256.js'

const NO_BYTES = Buffer.alloc(0)
const TWO_32 = 2 ** 32

/** One source of a shard's merge, read entry by entry in place: a level-0 table, or a level's tables in key order. */
class ChainCursor {
  bytes: Buffer = NO_BYTES
  pos = 0
  keyStart = 0
  keyEnd = 0
  end = 0
  seq = 0
  /** The current block's entries: start, key start, key end and end of each. */
  private offsets: number[] = []
  private k = 0
  private table = 0
  private block = 0
  private blocks = -1

  constructor(private readonly tables: readonly TableReader[]) {}

  /** The table the current entry is in, for errors. */
  get file(): string {
    return this.tables[Math.min(this.table, this.tables.length - 1)].path
  }

  /** Moves to the next entry; false past the last. */
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

/** Newest first among equal keys: smaller key, or the same key with a higher sequence number. */
function before(a: ChainCursor, b: ChainCursor): boolean {
  const c = compareRanges(a.bytes, a.keyStart, a.keyEnd, b.bytes, b.keyStart, b.keyEnd)
  return c < 0 || (c === 0 && a.seq > b.seq)
}

/**
 * The read pass of plan.ts over old shard `s` of `from`, whose records are
 * exactly the tables in `chains` (newest first: each level-0 table alone,
 * then each level ≥ 1 in key order).
 */
export function readShardInPlace(s: number, from: number, chains: readonly (readonly TableReader[])[], to: number, at: number, collect: boolean, hasher: RecordHasher): ShardPlan {
  const movedSums = new Array<Sum256 | undefined>(to).fill(undefined)
  const moved = new Array<PackedRun | undefined>(to).fill(undefined)
  const leaving = collect && s < to ? PackedKeys.empty() : undefined
  const p: ShardPlan = {shard: s, keys: new Array<number>(to).fill(0), bytes: new Array<number>(to).fill(0), sum: new Sum256(), staying: new Sum256(), movedSums, routed: true, moved, leaving}
  let routed = true
  const heap = new CursorHeap(chains.map((c) => new ChainCursor(c)), before)
  const h = heap.items
  while (h.length > 0) {
    const c = h[0]
    const b = c.bytes
    const pos = c.pos
    const keyStart = c.keyStart
    const keyEnd = c.keyEnd
    const end = c.end
    const seq = c.seq
    const file = c.file
    // Older versions of the same key, in the other sources, are not read.
    heap.advanceTop()
    while (h.length > 0 && compareRanges(h[0].bytes, h[0].keyStart, h[0].keyEnd, b, keyStart, keyEnd) === 0) heap.advanceTop()

    const kind = b[pos]
    const flags = b[pos + 1]
    // The value, and the fields after it as the flags say (their lengths parsed by the walk); anything unusual goes to the decoder.
    const valueLength = varintAt(b, keyEnd)
    let q = varintEndAt(b, keyEnd)
    const valueStart = q
    const valueEnd = q + valueLength
    q = valueEnd
    let expiresAt: number | undefined
    let codec: number = ValueCodec.RAW
    let schemaId: number | undefined
    let schemaVersion = 0
    let plain = (kind === Kind.PUT || (kind === Kind.DELETE && valueLength === 0)) && (flags & RESERVED_FLAGS) === 0 && seq <= Number.MAX_SAFE_INTEGER
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
      throw new Error(`rebalance: ${file}: an entry the in-place read could not parse decodes (bug)`)
    }
    if (kind !== Kind.PUT || (expiresAt !== undefined && expiresAt <= at)) continue

    const key = b.subarray(keyStart, keyEnd)
    const kh = hashKey(key)
    const t = shardOfHash(kh, to)
    p.keys[t]++
    p.bytes[t] += keyEnd - keyStart + valueLength
    const hash =
      codec === ValueCodec.RAW
        ? hasher.hashParts(b, keyStart, keyEnd, b, valueStart, valueEnd, expiresAt, (flags & Flag.JSON) !== 0, schemaId, schemaVersion)
        : hasher.hash(decodeEntry(new ByteReader(b, file, 0, pos, end)))
    if (routed && shardOfHash(kh, from) !== s) routed = false
    if (t === s) p.staying.addLatin1(hash)
    else {
      ;(movedSums[t] ??= new Sum256()).addLatin1(hash)
      if (collect) {
        ;(moved[t] ??= PackedRun.empty()).pushEncoded(b, pos, end)
        leaving?.push(key)
      }
    }
  }
  p.sum.addSum(p.staying)
  for (const m of movedSums) if (m !== undefined) p.sum.addSum(m)
  return {...p, routed}
}
