/**
 * `dump --layout`: the blocks a file is made of, in file order, with where
 * each lies, how it is stored and whether its checksum verifies (Pebble's
 * `sstable layout`). A table lists its data blocks (with entry counts, first
 * and last key and sequence range), then filter, properties, index and
 * footer; a WAL its header, each record and a torn tail if any; STORE,
 * a manifest and CURRENT are one block each. A data block whose checksum
 * does not verify is listed but not decoded; a WAL damaged in the middle
 * lists its records up to the damage, then one "damaged" block from there to
 * the end of the file, with the reason.
 *
 * JSON shape of a block: {type, index?, offset, size, end, compression?,
 * crc: {stored, computed, ok, offset} | null, entries?, inflatedSize?, restarts?,
 * firstKey?, lastKey?, minSeq?, maxSeq?, ...type-specific}. `size` is the
 * stored contents, `end` the offset where the next block starts (after a
 * table block's 5-byte trailer).
 */
import {Parsers, parseManifest, parseStore} from '../kaitai/index.js'
import {checkCrc, type CrcCheck, type Problems} from './checks.js'
import {Bytes} from './bytes.js'
import type {DumpFile} from './source.js'
import {blockCount, blockPlace, isCompressed, openTable, withBlock} from './sstable.js'
import {enumName, decodeCurrent} from './summary.js'
import {batchOf, decodeWalFile, walRecordsBeforeDamage, type WalDamage} from './wal.js'

/** One block of a file. */
export interface LayoutBlock {
  readonly type: 'data' | 'filter' | 'properties' | 'index' | 'footer' | 'header' | 'record' | 'torn-tail' | 'damaged' | 'store' | 'manifest' | 'current'
  readonly index?: number
  readonly offset: number
  readonly size: number
  readonly end: number
  readonly compression?: string
  readonly crc: CrcCheck | null
  readonly [extra: string]: unknown
}

const compressionName = (c: number): string => enumName(Parsers.StrataSstable.BlockCompression, c)

/** The blocks of `f` in file order. A table's data blocks are decoded one at a time. */
export function* layoutBlocks(f: DumpFile, problems: Problems): Generator<LayoutBlock> {
  const size = f.bytes.length
  switch (f.kind) {
    case 'current':
      decodeCurrent(f)
      yield {type: 'current', offset: 0, size, end: size, crc: null}
      return
    case 'store': {
      const s = parseStore(f.bytes, f.path)
      const crc = checkCrc(s.checkedSpan, s.crc, size - 4)
      problems.crc(f.path, 'STORE', crc)
      yield {type: 'store', offset: 0, size, end: size, crc}
      return
    }
    case 'manifest': {
      const m = parseManifest(f.bytes, f.path)
      const crc = checkCrc(m.checkedSpan, m.crc, size - 4)
      problems.crc(f.path, 'manifest', crc)
      yield {type: 'manifest', offset: 0, size, end: size, crc, tables: m.tables.length}
      return
    }
    case 'wal': {
      const v = decodeWalFile(f.bytes, f.path, problems, {untilDamage: true})
      yield {type: 'header', offset: 0, size: 20, end: 20, crc: v.headerCrc, formatVersion: v.header.formatVersion, shard: v.header.shard}
      let i = 0
      const seen: {damage?: WalDamage} = {}
      for (const r of walRecordsBeforeDamage(v, (d) => (seen.damage = d))) {
        const entries = batchOf(r).entries
        const seqs = entries.map((e) => e.sequence.value)
        yield {
          type: 'record', index: i, offset: r.ofs, size: r.endOfs - r.ofs, end: r.endOfs,
          crc: checkCrc(r.checkedSpan, r.crc, r.ofs), entries: entries.length, minSeq: Math.min(...seqs), maxSeq: Math.max(...seqs),
        }
        i++
      }
      const d = seen.damage
      // A record that does not decode comes before any torn tail, and ends the listing.
      if (v.tornTail && d === undefined) yield {type: 'torn-tail', offset: v.tornTail.offset, size: v.tornTail.bytes, end: size, crc: null, reason: v.tornTail.reason}
      if (d !== undefined) {
        yield {type: 'damaged', offset: d.offset, size: size - d.offset, end: size, crc: null, reason: d.reason}
        problems.report(d.error)
      }
      return
    }
    case 'sst': {
      const v = openTable(f.bytes, f.path, problems)
      const t = v.table
      for (let i = 0; i < blockCount(v); i++) {
        const place = blockPlace(v, i)
        const decoded = withBlock(v, i, problems, (b) => {
          const es = b.entryArea.entries
          const seqs = es.map((e) => e.sequence.value)
          return {
            entries: es.length, inflatedSize: isCompressed(place) ? b._io.size : undefined, restarts: b.numRestarts,
            firstKey: es.length > 0 ? new Bytes(Buffer.from(es[0].key), 'key') : null,
            lastKey: es.length > 0 ? new Bytes(Buffer.from(es[es.length - 1].key), 'key') : null,
            minSeq: seqs.length > 0 ? Math.min(...seqs) : null, maxSeq: seqs.length > 0 ? Math.max(...seqs) : null,
          }
        })
        yield {
          type: 'data', index: i, offset: place.offset, size: place.size, end: place.offset + place.size + 5,
          compression: compressionName(place.compression), crc: place.crc,
          ...(decoded ?? {entries: null, firstKey: null, lastKey: null, indexKey: new Bytes(t.index.entries[i].lastKey, 'key')}),
        }
      }
      const f2 = t.footer
      const meta = (type: 'filter' | 'properties' | 'index', crc: CrcCheck, extra: Record<string, unknown>): LayoutBlock => {
        const h = f2[type]
        return {type, offset: h.offset, size: h.size, end: h.offset + h.size + 5, compression: compressionName(h.trailer.compression), crc, ...extra}
      }
      yield meta('filter', v.filterCrc, {bits: (t.filter.bits?.length ?? 0) * 8, probes: t.filter.probes ?? null})
      yield meta('properties', v.propertiesCrc, {entries: t.properties.entries})
      yield meta('index', v.indexCrc, {entries: t.index.entries.length})
      yield {type: 'footer', offset: size - 52, size: 52, end: size, crc: v.footerCrc, formatVersion: f2.formatVersion}
    }
  }
}
