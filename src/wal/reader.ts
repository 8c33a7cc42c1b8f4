import {ByteReader} from '../util/coding.js'
import {crc32} from '../util/crc.js'
import {corruption, ErrorCode, StrataError} from '../errors.js'
import type {FileSystem} from '../vfs/fs.js'
import {decodeEntry} from '../record/codec.js'
import type {Entry} from '../record/format.js'
import {
  CURRENT_WAL_FORMAT,
  MAX_WAL_RECORD_BYTES,
  WAL_HEADER_SIZE,
  WAL_MAGIC,
  WAL_RECORD_HEADER_SIZE,
  WalRecordType,
} from './format.js'

/** One decoded WAL record. */
export interface WalBatch {
  /** File offset of the record header. */
  readonly offset: number
  /** Size of the whole record, header included. */
  readonly size: number
  readonly entries: Entry[]
  /** The entries as encoded in the file (the record's payload after its count), for a memtable to copy. */
  readonly encoded: Buffer
  /** Where each entry starts in `encoded`. */
  readonly starts: number[]
}

/** What a WAL holds, as far as it is valid. */
export interface WalContents {
  readonly shard: number
  readonly formatVersion: number
  readonly batches: WalBatch[]
  /** End of the last complete, valid record: where the next append goes. */
  readonly validLength: number
  /** Bytes after `validLength` that were dropped as a torn tail, if any. */
  readonly tornTail?: {readonly offset: number; readonly bytes: number; readonly reason: string}
}

/** Why the record at `at` is not valid, or undefined if it is. */
export function recordProblem(buf: Buffer, at: number): string | undefined {
  if (at + WAL_RECORD_HEADER_SIZE > buf.length) return `incomplete record header (${buf.length - at} of ${WAL_RECORD_HEADER_SIZE} bytes)`
  const length = buf.readUInt32LE(at + 4)
  const type = buf[at + 8]
  if (type !== WalRecordType.BATCH) return `unknown record type ${type}`
  if (length > MAX_WAL_RECORD_BYTES) return `record length ${length} exceeds the limit`
  if (at + WAL_RECORD_HEADER_SIZE + length > buf.length) return `record length ${length} runs past the end of the file`
  const stored = buf.readUInt32LE(at)
  if (crc32(buf.subarray(at + 4, at + WAL_RECORD_HEADER_SIZE + length)) !== stored) return 'record checksum mismatch'
  return undefined
}

/** True if a valid record starts anywhere after `from`: proof that damage at `from` is not a torn tail. */
function validRecordAfter(buf: Buffer, from: number): boolean {
  for (let p = from + 1; p + WAL_RECORD_HEADER_SIZE <= buf.length; p++) {
    if (buf[p + 8] !== WalRecordType.BATCH) continue
    if (p + WAL_RECORD_HEADER_SIZE + buf.readUInt32LE(p + 4) > buf.length) continue
    if (recordProblem(buf, p) === undefined) return true
  }
  return false
}

/** Sector size assumed for lost writes. */
const SECTOR = 512

/** True if, from some sector boundary at or after `from`, every byte to the end of `buf` is zero. */
function zeroFromSector(buf: Buffer, from: number): boolean {
  let p = buf.length
  while (p > from && buf[p - 1] === 0) p--
  // buf[p..] is the zero suffix; it must reach back to a sector boundary.
  const boundary = Math.ceil(Math.max(p, from) / SECTOR) * SECTOR
  return boundary < buf.length && p <= boundary
}

/**
 * Decides whether the bad record at `at` is a torn tail (the writer died
 * mid-append, or the unsynced end of the file was lost) or damage to data
 * that was once complete. Returns undefined for a torn tail, else why it is
 * corruption.
 *
 * Torn: nothing valid follows, and either the header is incomplete, the rest
 * of the file is zeros, the record's bytes are zeros from a sector boundary to
 * the end (sectors lost in a power loss), or the record runs past the end of
 * the file and no single damaged header field explains it. Corruption: a valid
 * record follows; or the record is complete (its length fits) yet fails its
 * checksum otherwise; or setting its type to BATCH and its length to what the
 * file holds makes the checksum match, so a header field was damaged in place.
 *
 * Limit: a flipped bit in the last record of a log whose final bytes are
 * already zeros from a sector boundary on reads as a torn tail.
 */
export function classifyBadRecord(buf: Buffer, at: number, problem: string): string | undefined {
  if (validRecordAfter(buf, at)) return `${problem}, with valid records after it`
  if (at + WAL_RECORD_HEADER_SIZE > buf.length) return undefined
  let zeros = true
  for (let i = at; i < buf.length; i++) {
    if (buf[i] !== 0) {
      zeros = false
      break
    }
  }
  if (zeros) return undefined
  const length = buf.readUInt32LE(at + 4)
  const type = buf[at + 8]
  const available = buf.length - at - WAL_RECORD_HEADER_SIZE
  if (type === WalRecordType.BATCH && length <= available) {
    // Sectors written but not synced can read back as zeros after a power
    // loss: a record whose bytes are zero from a sector boundary to the end of
    // the file is torn, not damaged.
    if (zeroFromSector(buf, at + WAL_RECORD_HEADER_SIZE)) return undefined
    return `${problem} in a complete record`
  }
  const stored = buf.readUInt32LE(at)
  for (const len of [length, available]) {
    if (len > available) continue
    const head = Buffer.alloc(5)
    head.writeUInt32LE(len, 0)
    head[4] = WalRecordType.BATCH
    const crc = crc32(buf.subarray(at + WAL_RECORD_HEADER_SIZE, at + WAL_RECORD_HEADER_SIZE + len), crc32(head))
    if (crc === stored) return `${problem}: the record header was damaged`
  }
  return undefined
}

/** Decodes the file header; throws CORRUPTION or UNSUPPORTED. */
export function decodeWalHeader(buf: Buffer, path: string): {shard: number; formatVersion: number} {
  if (buf.length < WAL_HEADER_SIZE) throw corruption(path, buf.length, `log header is ${buf.length} bytes, expected ${WAL_HEADER_SIZE}`)
  if (!buf.subarray(0, 8).equals(WAL_MAGIC)) throw corruption(path, 0, 'bad log magic (not a strata WAL)')
  const formatVersion = buf.readUInt32LE(8)
  // The header crc (fixed in every version) covers the version: check it first.
  if (crc32(buf.subarray(0, 16)) !== buf.readUInt32LE(16)) throw corruption(path, 16, 'log header checksum mismatch')
  if (formatVersion !== CURRENT_WAL_FORMAT) {
    if (formatVersion > CURRENT_WAL_FORMAT) {
      throw new StrataError(ErrorCode.UNSUPPORTED, `${path}: log format version ${formatVersion} is newer than this strata supports (${CURRENT_WAL_FORMAT})`, {file: path, offset: 8})
    }
    throw corruption(path, 8, `unknown log format version ${formatVersion}`)
  }
  return {shard: buf.readUInt32LE(12), formatVersion}
}

/**
 * Decodes a whole WAL. A torn tail is reported in the result, not thrown;
 * corruption in the middle, a sequence number that does not increase, or a
 * bad header throws CORRUPTION naming the file and byte offset.
 *
 * @param minSeq every sequence number must be above this (the shard's state before the log)
 */
export function decodeWal(buf: Buffer, path: string, minSeq = 0): WalContents {
  const {shard, formatVersion} = decodeWalHeader(buf, path)
  const batches: WalBatch[] = []
  let at = WAL_HEADER_SIZE
  let lastSeq = minSeq
  while (at < buf.length) {
    const problem = recordProblem(buf, at)
    if (problem !== undefined) {
      const damage = classifyBadRecord(buf, at, problem)
      if (damage !== undefined) throw corruption(path, at, damage)
      return {shard, formatVersion, batches, validLength: at, tornTail: {offset: at, bytes: buf.length - at, reason: problem}}
    }
    const length = buf.readUInt32LE(at + 4)
    const end = at + WAL_RECORD_HEADER_SIZE + length
    const r = new ByteReader(buf, path, 0, at + WAL_RECORD_HEADER_SIZE, end)
    const count = r.u32('batch count')
    if (count === 0) r.fail('empty batch', at)
    // Each entry takes at least 5 bytes, so an absurd count fails here, before any allocation.
    if (count * 5 > r.remaining) r.fail(`batch count ${count} cannot fit in ${r.remaining} bytes`, at + WAL_RECORD_HEADER_SIZE)
    const entries: Entry[] = []
    const starts: number[] = []
    const first = r.pos
    for (let i = 0; i < count; i++) {
      const entryAt = r.pos
      starts.push(entryAt - first)
      const e = decodeEntry(r)
      if (e.seq <= lastSeq) r.fail(`sequence number ${e.seq} does not increase (previous ${lastSeq})`, entryAt)
      lastSeq = e.seq
      entries.push(e)
    }
    if (r.remaining !== 0) r.fail(`${r.remaining} unexpected bytes after the batch's entries`)
    batches.push({offset: at, size: end - at, entries, encoded: buf.subarray(first, end), starts})
    at = end
  }
  return {shard, formatVersion, batches, validLength: at}
}

/**
 * The bytes of the WAL at `path`; with `limit`, only its first `limit`: its
 * length at a cut, records appended since left out. CORRUPTION if the file
 * is shorter than `limit` (a WAL only grows, apart from a torn tail cut off).
 */
export function readWalPrefix(fs: FileSystem, path: string, limit?: number): Buffer {
  const buf = fs.readFile(path)
  if (limit === undefined) return buf
  if (buf.length < limit) throw new StrataError(ErrorCode.CORRUPTION, `${path}: WAL holds ${buf.length} bytes, fewer than its ${limit} at the cut`, {file: path, offset: buf.length})
  return buf.subarray(0, limit)
}
