/**
 * The end of an SSTable, read and checked when a table is opened: the footer
 * (size, magic, crc, version), the filter, properties and index blocks lying
 * end to end before it with their crcs, and an index that names data blocks
 * laid end to end from offset 0 up to the filter block with strictly
 * increasing last keys, agreeing with the properties (a v2 index: its
 * layout and ends now, the rest before the first iteration; index-offsets.ts).
 * Every failure is a CORRUPTION naming the file and byte offset.
 */
import {corruption} from '../errors.js'
import type {ReadableFile} from '../vfs/fs.js'
import {checkedBlock, readExact} from './block-read.js'
import {decodeFooter} from './footer.js'
import {IndexBlock, type TableIndex} from './index-block.js'
import {OffsetIndex} from './index-offsets.js'
import {decodeProperties} from './properties.js'
import {BLOCK_TRAILER_SIZE, BlockCompression, FOOTER_SIZE, TableFormat, type BlockHandle, type TableProperties} from './format.js'

/** What `open` reads from the end of a table and checks. */
export interface TableMeta {
  readonly properties: TableProperties
  readonly blocks: TableIndex
  readonly filter: Buffer
}

/** Reads and checks the footer, meta blocks and index of the table in `file` (`fileSize` bytes). */
export function readTableMeta(file: ReadableFile, path: string, fileSize: number): TableMeta {
  if (fileSize < FOOTER_SIZE) throw corruption(path, 0, `file of ${fileSize} bytes is too short for a table footer`)
  const footerAt = fileSize - FOOTER_SIZE
  const footer = decodeFooter(readExact(file, path, footerAt, FOOTER_SIZE), path, footerAt)
  // Meta blocks lie end to end just before the footer; checked back to front,
  // each check bounds the next.
  const metas: Array<[string, BlockHandle, number]> = [
    ['index', footer.index, 24],
    ['properties', footer.properties, 12],
    ['filter', footer.filter, 0],
  ]
  let end = footerAt
  for (const [what, h, field] of metas) {
    if (h.offset + h.size + BLOCK_TRAILER_SIZE !== end) {
      throw corruption(path, footerAt + field, `${what} block [${h.offset}, +${h.size}) does not end at ${end}`)
    }
    end = h.offset
  }
  // The three meta blocks lie end to end: one read for all of them.
  const tail = readExact(file, path, end, footerAt - end)
  const meta = (what: string, h: BlockHandle): Buffer => {
    const {contents, compression} = checkedBlock(tail, end, path, h)
    if (compression !== BlockCompression.NONE) throw corruption(path, h.offset + h.size, `${what} block is compressed`)
    return contents
  }
  const filter = meta('filter', footer.filter)
  const properties = decodeProperties(meta('properties', footer.properties), path, footer.properties.offset)
  const indexBytes = meta('index', footer.index)
  const index = footer.version === TableFormat.V1
    ? IndexBlock.decode(indexBytes, path, footer.index.offset, footer.filter.offset)
    : new OffsetIndex(indexBytes, path, footer.index.offset, footer.filter.offset)
  if (index.length !== properties.dataBlocks) {
    throw corruption(path, footer.properties.offset + 64, `properties say ${properties.dataBlocks} data blocks, the index has ${index.length}`)
  }
  if (properties.entries < index.length) throw corruption(path, footer.properties.offset, 'fewer entries than data blocks')
  if (index.compareLastKey(properties.largestKey, index.length - 1) !== 0) {
    throw corruption(path, footer.properties.offset, 'largest_key differs from the last index key')
  }
  return {properties, blocks: index, filter}
}
