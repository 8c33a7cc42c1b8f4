/**
 * The end of an SSTable, read and checked when a table is opened: the footer
 * (size, magic, crc, version), the filter, properties and index blocks lying
 * end to end before it with their crcs, and an index that names data blocks
 * laid end to end from offset 0 up to the filter block with strictly
 * increasing last keys, agreeing with the properties. Every failure is a
 * CORRUPTION naming the file and byte offset.
 */
import {corruption} from '../errors.js'
import type {ReadableFile} from '../vfs/fs.js'
import {readBlockAt, readExact} from './block-read.js'
import {decodeFooter} from './footer.js'
import {IndexBlock} from './index-block.js'
import {decodeProperties} from './properties.js'
import {BLOCK_TRAILER_SIZE, BlockCompression, FOOTER_SIZE, type BlockHandle, type TableProperties} from './format.js'

/** What `open` reads from the end of a table and checks. */
export interface TableMeta {
  readonly properties: TableProperties
  readonly blocks: IndexBlock
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
  const meta = (what: string, h: BlockHandle): Buffer => {
    const {contents, compression} = readBlockAt(file, path, footerAt, h)
    if (compression !== BlockCompression.NONE) throw corruption(path, h.offset + h.size, `${what} block is compressed`)
    return contents
  }
  const filter = meta('filter', footer.filter)
  const properties = decodeProperties(meta('properties', footer.properties), path, footer.properties.offset)
  const index = IndexBlock.decode(meta('index', footer.index), path, footer.index.offset, footer.filter.offset)
  if (index.length !== properties.dataBlocks) {
    throw corruption(path, footer.properties.offset + 64, `properties say ${properties.dataBlocks} data blocks, the index has ${index.length}`)
  }
  if (properties.entries < index.length) throw corruption(path, footer.properties.offset, 'fewer entries than data blocks')
  if (index.compareLastKey(properties.largestKey, index.length - 1) !== 0) {
    throw corruption(path, footer.properties.offset, 'largest_key differs from the last index key')
  }
  return {properties, blocks: index, filter}
}
