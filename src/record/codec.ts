import {invalidArgument} from '../errors.js'
import {ByteReader, ByteWriter, MAX_VARINT_BYTES, varintAt, varintEndAt, varintLength} from '../util/coding.js'
import {Flag, Kind, MAX_KEY_BYTES, MAX_VALUE_BYTES, RESERVED_FLAGS, ValueCodec, type Entry} from './format.js'
import {entryProblem, expiresAtProblem, keyLengthProblem} from './limits.js'

/**
 * Appends one entry in the layout described in record/format.ts. Throws
 * INVALID_ARGUMENT, having appended nothing, for an entry the decoder would
 * reject (record/limits.ts): what is written always reads back.
 */
export function encodeEntry(w: ByteWriter, e: Entry): void {
  const problem = entryProblem(e)
  if (problem !== undefined) throw invalidArgument(`cannot write record: ${problem}`)
  let flags = 0
  if (e.expiresAt !== undefined) flags |= Flag.HAS_EXPIRY
  if (e.schema !== undefined) flags |= Flag.HAS_SCHEMA
  if (e.json) flags |= Flag.JSON
  if (e.codec !== undefined && e.codec !== ValueCodec.RAW) flags |= Flag.HAS_CODEC
  w.u8(e.kind).u8(flags).varint(e.seq).lengthPrefixed(e.key).lengthPrefixed(e.value)
  if (flags & Flag.HAS_EXPIRY) w.u64(e.expiresAt!)
  if (flags & Flag.HAS_CODEC) w.u8(e.codec!)
  if (flags & Flag.HAS_SCHEMA) w.varint(e.schema!.id).varint(e.schema!.version)
}

/**
 * Decodes one entry at the reader's position. Checks every field against the
 * same limits the encoder enforces (record/limits.ts); key and value are
 * views into the reader's buffer (copy them if the buffer is reused).
 */
export function decodeEntry(r: ByteReader): Entry {
  const start = r.pos
  const kind = r.u8('entry kind')
  if (kind !== Kind.PUT && kind !== Kind.DELETE) r.fail(`unknown entry kind ${kind}`, start)
  const flags = r.u8('entry flags')
  if (flags & RESERVED_FLAGS) r.fail(`reserved entry flag bits set (0x${flags.toString(16)})`, start + 1)
  const seq = r.varint('sequence number')
  const keyAt = r.pos
  // Lengths are checked against the limits before the bytes are taken.
  const key = r.lengthPrefixed('key', MAX_KEY_BYTES)
  const keyProblem = keyLengthProblem(key.length)
  if (keyProblem !== undefined) r.fail(keyProblem, keyAt)
  const value = r.lengthPrefixed('value', MAX_VALUE_BYTES)
  if (kind === Kind.DELETE && value.length !== 0) r.fail('tombstone with a value', start)
  const e: {-readonly [K in keyof Entry]: Entry[K]} = {key, seq, kind: kind as Kind, value}
  if (flags & Flag.HAS_EXPIRY) {
    const at = r.pos
    const expiresAt = r.u64('expiry')
    const problem = expiresAtProblem(expiresAt)
    if (problem !== undefined) r.fail(problem, at)
    e.expiresAt = expiresAt
  }
  if (flags & Flag.JSON) e.json = true
  if (flags & Flag.HAS_CODEC) {
    const at = r.pos
    const codec = r.u8('value codec')
    if (codec !== ValueCodec.RAW && codec !== ValueCodec.ZLIB) r.fail(`unknown value codec ${codec}`, at)
    e.codec = codec as ValueCodec
  }
  if (flags & Flag.HAS_SCHEMA) e.schema = {id: r.varint('schema id'), version: r.varint('schema version')}
  return e
}

/** Where an encoded entry's parts lie (trustedLayoutAt). */
export interface EntryLayout {
  kind: Kind
  flags: number
  seq: number
  keyStart: number
  keyEnd: number
  valueLength: number
  /** Where the entry ends. */
  end: number
}

/**
 * Fills `out` with the layout of the entry `encodeEntry` wrote at `at` in
 * `b`, read without checks (as trustedEntryAt reads it) and without
 * decoding it. REQUIRES: as trustedEntryAt.
 */
export function trustedLayoutAt(b: Uint8Array, at: number, out: EntryLayout): void {
  out.kind = b[at] as Kind
  const flags = (out.flags = b[at + 1])
  out.seq = varintAt(b, at + 2)
  let p = varintEndAt(b, at + 2)
  const keyLength = varintAt(b, p)
  p = varintEndAt(b, p)
  out.keyStart = p
  out.keyEnd = p += keyLength
  const valueLength = (out.valueLength = varintAt(b, p))
  p = varintEndAt(b, p) + valueLength
  if (flags & Flag.HAS_EXPIRY) p += 8
  if (flags & Flag.HAS_CODEC) p++
  if (flags & Flag.HAS_SCHEMA) p = varintEndAt(b, varintEndAt(b, p))
  out.end = p
}

/**
 * The entry `encodeEntry` wrote at `at` in `buf`, decoded without checks;
 * key and value are views into `buf`. For bytes this process encoded and
 * kept (the memtable's): anything read from a file goes through
 * `decodeEntry`. REQUIRES: a whole encoded entry starts at `at`.
 */
export function trustedEntryAt(buf: Buffer, at: number): Entry {
  const kind = buf[at] as Kind
  const flags = buf[at + 1]
  const seq = varintAt(buf, at + 2)
  let p = varintEndAt(buf, at + 2)
  const keyLength = varintAt(buf, p)
  p = varintEndAt(buf, p)
  const key = Buffer.from(buf.buffer, buf.byteOffset + p, keyLength)
  p += keyLength
  const valueLength = varintAt(buf, p)
  p = varintEndAt(buf, p)
  const value = Buffer.from(buf.buffer, buf.byteOffset + p, valueLength)
  p += valueLength
  const e: {-readonly [K in keyof Entry]: Entry[K]} = {key, seq, kind, value}
  if (flags === 0) return e
  if (flags & Flag.HAS_EXPIRY) {
    e.expiresAt = buf.readUInt32LE(p + 4) * 0x1_0000_0000 + buf.readUInt32LE(p)
    p += 8
  }
  if (flags & Flag.JSON) e.json = true
  if (flags & Flag.HAS_CODEC) e.codec = buf[p++] as ValueCodec
  if (flags & Flag.HAS_SCHEMA) {
    const id = varintAt(buf, p)
    p = varintEndAt(buf, p)
    e.schema = {id, version: varintAt(buf, p)}
  }
  return e
}

/** Bytes one entry like `e` takes at most once encoded (with the longest sequence number varint). */
export function maxEncodedEntryLength(e: Pick<Entry, 'key' | 'value' | 'expiresAt'>): number {
  return 2 + MAX_VARINT_BYTES + varintLength(e.key.length) + e.key.length + varintLength(e.value.length) + e.value.length +
    (e.expiresAt === undefined ? 0 : 8)
}
