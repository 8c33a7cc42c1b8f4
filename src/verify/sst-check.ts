/**
 * The sst.* checks and the table's part of shard.placement, for one table
 * (formats/strata_sstable.ksy), decoded step by step from the end so that
 * nothing is followed before the checksum covering it holds:
 *
 *   magic → footer (checksum, version, meta blocks end to end before it)
 *   → filter, properties, index blocks (trailer, checksum, then decode)
 *   → data blocks (sst-blocks.ts; skipped with --quick).
 *
 * @internal
 */
import {ErrorCode} from '../errors.js'
import {fieldSpan, type StrataSstable} from '../kaitai/index.js'
import {crc32} from '../util/crc.js'
import {CURRENT_TABLE_FORMAT, FOOTER_SIZE} from '../sstable/format.js'
import type {CheckId} from './report.js'
import type {FileReporter} from './findings.js'
import {checkedBlock, hex32, openTable, reason, step, type TableRoot} from './decode.js'
import {keyRange} from './key-range.js'
import {PlacementTally} from './placement.js'
import type {ShadowedKeys} from './shadowed-keys.js'
import {checkDataBlocks} from './sst-blocks.js'

/** What a table is checked against. */
export interface SstCheckOptions {
  readonly shard: number
  readonly placementShards: number | undefined
  readonly quick: boolean
  /** Misplaced keys are collected here for the shard to judge (a store a shard-rebalance made). */
  readonly shadow?: {readonly keys: ShadowedKeys; readonly file: string}
}

/** The properties the manifest's table metadata must match. */
export interface TableProperties {
  readonly entries: number
  readonly minSeq: number
  readonly maxSeq: number
  readonly smallestKey: Buffer
  readonly largestKey: Buffer
  readonly level: number
}

/** What the check saw. */
export interface TableFacts {
  /** Entries decoded (0 with --quick). */
  readonly entries: number
  /** The properties, when their block holds its checksum and decodes. */
  readonly properties?: TableProperties
}

/** Checks one table's bytes. */
export function checkSst(r: FileReporter, buf: Buffer, o: SstCheckOptions): TableFacts {
  const root: TableRoot = openTable(buf, r.file)
  const footer = r.as('sst.footer', () => checkFooter(r, root, buf.length))
  if (footer === undefined) return {entries: 0}
  const t = root.node
  const filter = metaBlock(r, root, 'filter', footer.filter, 'sst.bloom', () => t.filter)
  const props = metaBlock(r, root, 'properties', footer.properties, 'sst.properties', () => t.properties)
  const index = metaBlock(r, root, 'index', footer.index, 'sst.index', () => t.index)
  const placement = new PlacementTally(o.shard, o.placementShards, o.shadow)
  if (index !== undefined) r.as('sst.index', () => checkIndex(r, root, index, footer))
  if (props !== undefined) r.as('sst.properties', () => checkPropertiesAlone(r, root, props, index, o.shard))
  let entries = 0
  if (o.quick) {
    // Only the keys the metadata names: each block's last key, and the table's first and last.
    for (const e of index?.entries ?? []) placement.add(e.lastKey, fieldSpan(t, e, 'last_key')?.offset ?? footer.index.offset)
    if (props !== undefined) placement.add(props.smallestKey, fieldSpan(t, props, 'smallest_key')?.offset ?? footer.properties.offset)
  } else if (index !== undefined) {
    entries = checkDataBlocks(r, root, index, filter, props, placement)
  }
  r.as('shard.placement', () => placement.report(r))
  if (props === undefined) return {entries}
  return {
    entries,
    properties: {
      entries: props.entries, minSeq: props.minSeq, maxSeq: props.maxSeq, level: props.level,
      smallestKey: Buffer.from(props.smallestKey), largestKey: Buffer.from(props.largestKey),
    },
  }
}

/** Magic, footer checksum and version, and the meta blocks' layout. Undefined when the footer cannot be trusted. */
function checkFooter(r: FileReporter, root: TableRoot, len: number): StrataSstable.Footer | undefined {
  const t = root.node
  const magic = step(() => t.magic, root)
  if (!magic.ok) {
    r.error('sst.footer', magic.error.offset ?? Math.max(0, len - 8), reason(magic.error, r.file))
    return undefined
  }
  const decoded = step(() => t.footer, root)
  if (!decoded.ok) {
    const err = decoded.error
    // UNSUPPORTED only when the footer checksum holds (the facade's rule): a table of a newer format.
    const why = err.code === ErrorCode.UNSUPPORTED ? `${reason(err, r.file)}; STORE format v1 stores tables in formats v1 to v${CURRENT_TABLE_FORMAT} only` : reason(err, r.file)
    r.error('sst.footer', err.offset ?? Math.max(0, len - FOOTER_SIZE), why)
    return undefined
  }
  const footer = decoded.value
  const footerAt = len - FOOTER_SIZE
  const computed = crc32(footer.checkedSpan)
  if (computed !== footer.crc) {
    r.error('sst.footer', footerAt, `footer checksum mismatch over bytes ${footerAt}..${footerAt + 39} (stored ${hex32(footer.crc)}, computed ${hex32(computed)})`)
    return undefined
  }
  // Filter, properties and index blocks lie end to end just before the footer.
  let end = footerAt
  for (const name of ['index', 'properties', 'filter'] as const) {
    const h = footer[name]
    if (h.endOfs !== end) {
      r.error('sst.footer', fieldSpan(t, footer, name)?.offset ?? footerAt,
        `the ${name} block [${h.offset}, +${h.size}) and its trailer do not end at ${end}, where the ${name === 'index' ? 'footer' : 'next meta block'} starts`)
    }
    end = h.offset
  }
  return footer
}

/** A meta block's trailer and checksum, then its contents decoded; undefined when it cannot be trusted. */
function metaBlock<T>(r: FileReporter, root: TableRoot, name: string, h: StrataSstable.BlockHandle, check: CheckId, decode: () => T): T | undefined {
  return r.as(check, () => checkedBlock(r, root, `${name} block at ${h.offset}`, h, check, decode))
}

/** sst.index on the index alone: at least one entry, last keys increasing, blocks end to end up to the filter block. */
function checkIndex(r: FileReporter, root: TableRoot, index: StrataSstable.IndexBlock, footer: StrataSstable.Footer): void {
  const t = root.node
  const entries = index.entries
  if (entries.length === 0) {
    r.error('sst.index', footer.index.offset, 'the index names no data blocks; a table has at least one')
    return
  }
  let expect = 0
  let orderReported = false
  let layoutReported = false
  entries.forEach((e, i) => {
    const prev = entries[i - 1]
    if (prev !== undefined && Buffer.compare(e.lastKey, prev.lastKey) <= 0 && !orderReported) {
      r.error('sst.index', fieldSpan(t, e, 'last_key')?.offset ?? footer.index.offset,
        `index entry ${i}'s last key does not sort after entry ${i - 1}'s`, keyRange(prev.lastKey, e.lastKey))
      orderReported = true
    }
    if (e.handle.offset !== expect && !layoutReported) {
      r.error('sst.index', fieldSpan(t, e, 'handle')?.offset ?? footer.index.offset,
        `index entry ${i} names a data block at ${e.handle.offset}; blocks lie end to end, so it must start at ${expect}`)
      layoutReported = true
    }
    expect = e.handle.endOfs
  })
  if (expect !== footer.filter.offset && !layoutReported) {
    r.error('sst.index', footer.index.offset, `the data blocks end at ${expect}, but the filter block starts at ${footer.filter.offset}`)
  }
  if (t.indexOffsets !== undefined) checkIndexOffsets(r, root, index, t.indexOffsets, footer)
}

/** sst.index, format v2: the offset array after the index entries names where each one starts. */
function checkIndexOffsets(r: FileReporter, root: TableRoot, index: StrataSstable.IndexBlock, offsets: readonly number[], footer: StrataSstable.Footer): void {
  const arrayAt = footer.index.offset + footer.index.size - 4 - 4 * offsets.length
  if (offsets.length !== index.entries.length) {
    r.error('sst.index', arrayAt + 4 * offsets.length, `the index block counts ${offsets.length} entries, but holds ${index.entries.length}`)
    return
  }
  const bad = index.entries.findIndex((_, i) => fieldSpan(root.node, index, 'entries', i)?.offset !== footer.index.offset + offsets[i])
  if (bad >= 0) {
    r.error('sst.index', arrayAt + 4 * bad, `index entry ${bad} starts at ${fieldSpan(root.node, index, 'entries', bad)?.offset}, but the index's offset array says ${footer.index.offset + offsets[bad]}`)
  }
}

/** sst.properties against the index, and the table's shard. */
function checkPropertiesAlone(r: FileReporter, root: TableRoot, p: StrataSstable.PropertiesBlock, index: StrataSstable.IndexBlock | undefined, shard: number): void {
  const at = (field: string): number => fieldSpan(root.node, p, field)?.offset ?? 0
  if (Buffer.compare(p.smallestKey, p.largestKey) > 0) {
    r.error('sst.properties', at('smallest_key'), 'smallest_key sorts after largest_key', keyRange(p.smallestKey, p.largestKey))
  }
  if (p.shard !== shard) {
    r.as('shard.placement', () => r.error('shard.placement', at('shard'), `the table says it belongs to shard ${p.shard}, but it is in the directory of shard ${shard}`))
  }
  if (index === undefined) return
  if (p.dataBlocks !== index.entries.length) {
    r.error('sst.properties', at('data_blocks'), `data_blocks is ${p.dataBlocks}, but the index names ${index.entries.length}`)
  }
  const last = index.entries.at(-1)?.lastKey
  if (last !== undefined && Buffer.compare(p.largestKey, last) !== 0) {
    r.error('sst.properties', at('largest_key'), 'largest_key differs from the last index key', keyRange(p.largestKey, last))
  }
}
