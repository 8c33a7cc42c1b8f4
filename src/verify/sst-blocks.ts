/**
 * The data-block pass over one table: every block's trailer and checksum
 * (sst.block-crc), then its entries decoded by the parser, one block at a
 * time and released after (memory stays one block however large the table):
 * key order (sst.key-order), restart arrays and last keys (sst.index), the
 * bloom filter (sst.bloom), placement, and the totals the properties block
 * must match (sst.properties).
 *
 * @internal
 */
import {dataBlock, fieldSpan, Parsers, releaseDataBlock, type StrataEntry, type StrataSstable} from '../kaitai/index.js'
import {RESTART_INTERVAL} from '../sstable/format.js'
import type {FileReporter} from './findings.js'
import {checkedBlock, type TableRoot} from './decode.js'
import {filterPasses, usableFilter} from './bloom-probe.js'
import {keyRange} from './key-range.js'
import type {PlacementTally} from './placement.js'
import {isLiveEntry} from './shadowed-keys.js'

/** What the data says, for the properties block to match. */
class Totals {
  entries = 0
  puts = 0
  deletes = 0
  withExpiry = 0
  minSeq = Number.POSITIVE_INFINITY
  maxSeq = 0
  rawKeyBytes = 0
  rawValueBytes = 0
  smallest: Buffer | undefined
  largest: Buffer | undefined

  add(e: StrataEntry): void {
    this.entries++
    if (e.kind === Parsers.StrataEntry.RecordKind.PUT) this.puts++
    else this.deletes++
    if (e.hasExpiry) this.withExpiry++
    const seq = e.sequence.value
    this.minSeq = Math.min(this.minSeq, seq)
    this.maxSeq = Math.max(this.maxSeq, seq)
    this.rawKeyBytes += e.key.length
    this.rawValueBytes += e.value.length
    this.smallest ??= Buffer.from(e.key)
  }
}

/** Failing bloom probes, tallied into one finding per table. */
class BloomTally {
  count = 0
  first: Buffer | undefined
  last: Buffer | undefined

  add(key: Uint8Array): void {
    if (this.count++ === 0) this.first = Buffer.from(key)
    this.last = Buffer.from(key)
  }
}

/** Checks every data block; returns the number of entries decoded. */
export function checkDataBlocks(
  r: FileReporter,
  root: TableRoot,
  index: StrataSstable.IndexBlock,
  filterBlock: StrataSstable.FilterBlock | undefined,
  props: StrataSstable.PropertiesBlock | undefined,
  placement: PlacementTally,
): number {
  const t = root.node
  const filter = filterBlock === undefined ? undefined : usableFilter(filterBlock.bits, filterBlock.probes)
  const totals = new Totals()
  const now = Date.now()
  const bloom = new BloomTally()
  // Every block must be read for the totals to mean anything.
  let complete = true
  let prevKey: Buffer | undefined
  index.entries.forEach((e, i) => {
    const block = r.as('sst.block-crc', () => verifiedBlock(r, root, e, i))
    if (block === undefined) {
      complete = false
      prevKey = Buffer.from(e.lastKey)
      return
    }
    const h = e.handle
    const zlib = e.handle.trailer.compression !== Parsers.StrataSstable.BlockCompression.NONE
    const list = block.entryArea
    const es = list.entries
    // A compressed (zlib or lz) block's entries are not in the file as such: findings name the block's start.
    const entryAt = (j: number): number => (zlib ? h.offset : fieldSpan(t, list, 'entries', j)?.offset ?? h.offset)
    r.as('sst.index', () => checkRestarts(r, block, h, zlib, i))
    let orderReported = false
    es.forEach((entry, j) => {
      const key = entry.key
      if (!orderReported) {
        const before = j > 0 ? es[j - 1].key : prevKey
        if (before !== undefined && Buffer.compare(key, before) <= 0) {
          r.error('sst.key-order', entryAt(j), `data block ${i} (at ${h.offset}), entry ${j}: key does not sort after the key before it`, keyRange(before, key))
          orderReported = true
        } else if (Buffer.compare(key, e.lastKey) > 0) {
          r.error('sst.key-order', entryAt(j), `data block ${i} (at ${h.offset}), entry ${j}: key sorts after the block's index key`, keyRange(key, e.lastKey))
          orderReported = true
        }
      }
      if (filter !== undefined && !filterPasses(filter, key)) bloom.add(key)
      placement.add(key, entryAt(j), {seq: entry.sequence.value, live: isLiveEntry(entry, now)})
      totals.add(entry)
    })
    const last = es.at(-1)?.key
    if (last === undefined) {
      r.error('sst.index', h.offset, `data block ${i} (at ${h.offset}) holds no entries`)
    } else if (Buffer.compare(last, e.lastKey) !== 0) {
      r.error('sst.index', fieldSpan(t, e, 'last_key')?.offset ?? h.offset, `index entry ${i}'s last key differs from the last key of its block (at ${h.offset})`, keyRange(e.lastKey, last))
    }
    if (last !== undefined) {
      prevKey = Buffer.from(last)
      totals.largest = prevKey
    }
    releaseDataBlock(t, i)
  })
  if (bloom.count > 0 && filterBlock !== undefined) {
    const at = t.footer.filter.offset
    r.as('sst.bloom', () => r.error('sst.bloom', at, `${bloom.count} key${bloom.count === 1 ? '' : 's'} in the table do not pass its bloom filter: reads of them would wrongly find nothing`, keyRange(bloom.first!, bloom.last!)))
  }
  if (complete && props !== undefined) r.as('sst.properties', () => compareTotals(r, root, props, totals))
  return totals.entries
}

/** Data block i, decoded, once its trailer and checksum hold; undefined after reporting why not. */
function verifiedBlock(r: FileReporter, root: TableRoot, e: StrataSstable.IndexEntry, i: number): StrataSstable.DataBlock | undefined {
  return checkedBlock(r, root, `data block ${i} at ${e.handle.offset}`, e.handle, 'sst.block-crc', () => dataBlock(root.node, i))
}

/** The restart array holds the offset of entry 0, 16, 32, ... and nothing else. */
function checkRestarts(r: FileReporter, block: StrataSstable.DataBlock, h: StrataSstable.BlockHandle, zlib: boolean, i: number): void {
  const starts = block.entryArea._debug.entries?.arr?.map((a) => a.start) ?? []
  const n = block.entryArea.entries.length
  const want = Math.ceil(n / RESTART_INTERVAL)
  const arrayAt = zlib ? h.offset : h.offset + block.entriesSize
  if (block.numRestarts !== want) {
    r.error('sst.index', zlib ? h.offset : arrayAt + 4 * block.numRestarts, `data block ${i} (at ${h.offset}) has ${block.numRestarts} restart points; ${n} entries need ${want}`)
    return
  }
  const restarts = block.restarts
  for (let j = 0; j < want; j++) {
    if (restarts[j] !== starts[j * RESTART_INTERVAL]) {
      r.error('sst.index', zlib ? h.offset : arrayAt + 4 * j, `data block ${i} (at ${h.offset}): restart ${j} is ${restarts[j]}, but entry ${j * RESTART_INTERVAL} starts at ${starts[j * RESTART_INTERVAL]}`)
      return
    }
  }
}

/** sst.properties: the properties block against what the data holds. */
function compareTotals(r: FileReporter, root: TableRoot, p: StrataSstable.PropertiesBlock, d: Totals): void {
  const at = (field: string): number => fieldSpan(root.node, p, field)?.offset ?? root.node.footer.properties.offset
  const counts: Array<[string, number, number]> = [
    ['entries', p.entries, d.entries],
    ['puts', p.puts, d.puts],
    ['deletes', p.deletes, d.deletes],
    ['with_expiry', p.withExpiry, d.withExpiry],
    ['min_seq', p.minSeq, d.entries === 0 ? p.minSeq : d.minSeq],
    ['max_seq', p.maxSeq, d.maxSeq],
    ['raw_key_bytes', p.rawKeyBytes, d.rawKeyBytes],
    ['raw_value_bytes', p.rawValueBytes, d.rawValueBytes],
  ]
  for (const [field, said, actual] of counts) {
    if (said !== actual) r.error('sst.properties', at(field), `${field} is ${said}, but the data blocks hold ${actual}`)
  }
  if (d.smallest !== undefined && Buffer.compare(p.smallestKey, d.smallest) !== 0) {
    r.error('sst.properties', at('smallest_key'), 'smallest_key differs from the first key in the data', keyRange(p.smallestKey, d.smallest))
  }
  if (d.largest !== undefined && Buffer.compare(p.largestKey, d.largest) !== 0) {
    r.error('sst.properties', at('largest_key'), 'largest_key differs from the last key in the data', keyRange(p.largestKey, d.largest))
  }
}
