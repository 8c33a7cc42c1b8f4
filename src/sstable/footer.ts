/**
 * Encodes and decodes the 52-byte table footer (layout in format.ts):
 *
 *   u64 filter_offset  u32 filter_size
 *   u64 props_offset   u32 props_size
 *   u64 index_offset   u32 index_size
 *   u32 format_version  u32 crc32(the 40 bytes before it)  8 bytes magic "STRATATB"
 */
import {ByteReader, ByteWriter} from '../util/coding.js'
import {crc32} from '../util/crc.js'
import {ErrorCode, StrataError} from '../errors.js'
import {CURRENT_TABLE_FORMAT, FOOTER_SIZE, TABLE_MAGIC, type BlockHandle, type TableFormat} from './format.js'

/** Offsets inside the footer: the crc covers the 40 bytes before it. */
const VERSION_AT = 36
const CRC_AT = 40
const MAGIC_AT = 44

/** A decoded footer: where the meta blocks are. */
export interface Footer {
  readonly filter: BlockHandle
  readonly properties: BlockHandle
  readonly index: BlockHandle
  /** The table's format version (decodeFooter admits only those this build reads). */
  readonly version: TableFormat
}

/** The footer bytes for `f`, in its format version. */
export function encodeFooter(f: Footer): Buffer {
  const w = new ByteWriter(FOOTER_SIZE)
  for (const h of [f.filter, f.properties, f.index]) w.u64(h.offset).u32(h.size)
  w.u32(f.version)
  w.u32(crc32(w.finish()))
  w.bytes(TABLE_MAGIC)
  return Buffer.from(w.finish())
}

/**
 * Decodes a footer, checking magic, then crc, then version (UNSUPPORTED if
 * it is newer than this build reads). Handles are not range-checked here.
 * REQUIRES: buf.length === FOOTER_SIZE; `offset` is its file offset.
 */
export function decodeFooter(buf: Buffer, file: string, offset: number): Footer {
  const r = new ByteReader(buf, file, offset)
  if (!buf.subarray(MAGIC_AT).equals(TABLE_MAGIC)) r.fail('bad table magic (not a strata table)', MAGIC_AT)
  const crc = buf.readUInt32LE(CRC_AT)
  const actual = crc32(buf.subarray(0, CRC_AT))
  if (crc !== actual) r.fail(`footer crc mismatch (stored ${crc}, computed ${actual})`, CRC_AT)
  const handle = (what: string): BlockHandle => ({offset: r.u64(`${what} offset`), size: r.u32(`${what} size`)})
  const handles = {filter: handle('filter'), properties: handle('properties'), index: handle('index')}
  const version = r.u32('format version')
  if (version === 0) r.fail('table format version 0 is not valid', VERSION_AT)
  // Versions form an append-only list: every one up to the current is readable.
  if (version > CURRENT_TABLE_FORMAT) {
    const message = `${file}: table format version ${version} is not supported (this build reads ${CURRENT_TABLE_FORMAT})`
    throw new StrataError(ErrorCode.UNSUPPORTED, message, {
      file,
      offset: offset + VERSION_AT,
      hint: 'upgrade strata to read this table',
    })
  }
  return {...handles, version: version as TableFormat}
}
