/**
 * An SSTable as dump decodes it: the footer, meta blocks and index through
 * the Kaitai parser ('skip' mode), then data blocks one at a time on demand
 * (`dataBlock` / `releaseDataBlock`), so a large table never has more than
 * one decoded block in memory. Every block's trailer crc and the footer crc
 * are verified before the block is used.
 */
import {
  Parsers, dataBlock, parseSstable, releaseDataBlock, type DataBlock, type StrataEntry, type StrataSstable,
} from '../kaitai/index.js'
import {StrataError, corruption} from '../errors.js'
import {crc32} from '../util/crc.js'
import {checkCrc, hex32, type CrcCheck, type Problems} from './checks.js'

const FOOTER_SIZE = 52

/** A parsed table and the checks of its footer and meta blocks. */
export interface TableView {
  readonly table: StrataSstable
  readonly file: string
  readonly size: number
  readonly footerCrc: CrcCheck
  readonly filterCrc: CrcCheck
  readonly propertiesCrc: CrcCheck
  readonly indexCrc: CrcCheck
}

/** Where a block lies, as its handle says. */
export interface BlockPlace {
  /** File offset of the contents. */
  readonly offset: number
  /** Size of the contents as stored, trailer excluded. */
  readonly size: number
  readonly compression: number
  readonly crc: CrcCheck
}

/** Decodes a table's footer, meta blocks and index; checks their crcs. */
export function openTable(buf: Buffer, file: string, problems: Problems): TableView {
  let table: StrataSstable
  try {
    table = parseSstable(buf, file, {dataBlocks: 'skip'})
  } catch (err) {
    throw metaChecksumFailure(buf, file) ?? err
  }
  const f = table.footer
  const footerAt = buf.length - FOOTER_SIZE
  const footerCrc = checkCrc(f.checkedSpan, f.crc, footerAt + 40)
  problems.crc(file, 'footer', footerCrc)
  const meta = (h: StrataSstable.BlockHandle, what: string): CrcCheck => {
    const c = handleCrc(h)
    problems.crc(file, `${what} block`, c, h.offset)
    return c
  }
  return {
    table, file, size: buf.length, footerCrc,
    filterCrc: meta(f.filter, 'filter'),
    propertiesCrc: meta(f.properties, 'properties'),
    indexCrc: meta(f.index, 'index'),
  }
}

/**
 * When a table does not parse, the more precise cause if there is one: a
 * footer, filter, properties or index checksum that does not verify (a
 * damaged handle makes the parser fail somewhere else, often at the end of
 * the file). Reads the fixed footer layout (formats/README.md) directly.
 */
function metaChecksumFailure(buf: Buffer, file: string): StrataError | undefined {
  const at = buf.length - FOOTER_SIZE
  if (at < 0 || buf.subarray(buf.length - 8).toString('latin1') !== 'STRATATB') return undefined
  if (crc32(buf.subarray(at, at + 40)) !== buf.readUInt32LE(at + 40)) {
    return corruption(file, at + 40, `footer checksum mismatch (stored ${hex32(buf.readUInt32LE(at + 40))}, computed ${hex32(crc32(buf.subarray(at, at + 40)))})`)
  }
  const names = ['filter', 'properties', 'index']
  for (let i = 0; i < 3; i++) {
    const offset = Number(buf.readBigUInt64LE(at + 12 * i))
    const size = buf.readUInt32LE(at + 12 * i + 8)
    if (offset + size + 5 > at) continue // out of range: the parser's own error says so
    const stored = buf.readUInt32LE(offset + size + 1)
    const computed = crc32(buf.subarray(offset, offset + size + 1))
    if (stored !== computed) return corruption(file, offset, `${names[i]} block checksum mismatch (stored ${hex32(stored)}, computed ${hex32(computed)})`)
  }
  return undefined
}

/** The crc check of the block a handle names (its trailer crc over contents + compression byte). */
export function handleCrc(h: StrataSstable.BlockHandle): CrcCheck {
  return checkCrc(h.checkedSpan, h.trailer.crc, h.offset + h.size + 1)
}

/** Number of data blocks. */
export function blockCount(v: TableView): number {
  return v.table.index.entries.length
}

/** Where data block `i` lies and whether its crc verifies. */
export function blockPlace(v: TableView, i: number): BlockPlace {
  const h = v.table.index.entries[i].handle
  return {offset: h.offset, size: h.size, compression: h.trailer.compression, crc: handleCrc(h)}
}

/** True if data block `i` is stored zlib-compressed. */
export function isZlib(place: BlockPlace): boolean {
  return place.compression === Parsers.StrataSstable.BlockCompression.ZLIB
}

/** True if data block `i` is stored compressed (zlib or lz): its decoded bytes are not in the file as such. */
export function isCompressed(place: BlockPlace): boolean {
  return place.compression !== Parsers.StrataSstable.BlockCompression.NONE
}

/**
 * Runs `fn` on data block `i`, decoded (inflated if zlib) after its crc is
 * checked, and releases it afterwards. Returns undefined without calling `fn`
 * when the crc does not verify (lenient mode): damaged bytes are not decoded.
 */
export function withBlock<T>(v: TableView, i: number, problems: Problems, fn: (block: DataBlock, place: BlockPlace) => T): T | undefined {
  const place = blockPlace(v, i)
  problems.crc(v.file, `data block ${i}`, place.crc, place.offset)
  if (!place.crc.ok) return undefined
  try {
    return fn(dataBlock(v.table, i), place)
  } finally {
    releaseDataBlock(v.table, i)
  }
}

/** One entry of a table and the data block it is in. */
export interface TableEntry {
  readonly block: number
  readonly place: BlockPlace
  readonly entry: StrataEntry
}

/** Every entry of the table in key order, one decoded block at a time. */
export function* tableEntries(v: TableView, problems: Problems): Generator<TableEntry> {
  for (let i = 0; i < blockCount(v); i++) {
    const got = withBlock(v, i, problems, (block, place) => ({entries: block.entryArea.entries, place}))
    if (got === undefined) continue
    for (const entry of got.entries) yield {block: i, place: got.place, entry}
  }
}
