/**
 * The default dump view: one summary per file - kind, size, format version
 * and the decoded header, footer, properties or manifest contents. Building
 * a summary decodes and checks the whole file (every data block of a table,
 * one at a time), so a summary that prints is a file that decodes.
 *
 * JSON shape (after `toJson`; key fields carry a `<field>Encoding` beside them):
 *   common:   {file, name, kind, shard?, size}
 *   store:    formatVersion, shardCount, hashId, hash, compression, reserved, shardGeneration,
 *             blockSize, createdAtMs, createdBy, crc
 *   current:  manifest ("MANIFEST-000005")
 *   manifest: formatVersion, shard, nextFileNumber, lastSeq, walNumber, wal,
 *             tables: [{fileNumber, file, fileSize, level, entries, minSeq, maxSeq, smallestKey, largestKey}], crc
 *   wal:      formatVersion, shard, headerCrc, records, entries, puts, deletes, withExpiry,
 *             minSeq, maxSeq (null when empty), validLength, tornTail: {offset, bytes, reason} | null
 *   sst:      formatVersion, footer: {filter, properties, index: {offset, size}, crc},
 *             properties: {entries, puts, deletes, withExpiry, minSeq, maxSeq, rawKeyBytes, rawValueBytes,
 *             dataBlocks, shard, createdAtMs, level, smallestKey, largestKey, createdBy, extensionBytes},
 *             filter: {bytes, probes, crc}, index: {entries, crc},
 *             dataBlocks: {count, zlib, lz, none, storedBytes, inflatedBytes, entries}
 * A crc is {stored, computed, ok, offset}.
 */
import {corruption} from '../errors.js'
import {Parsers, parseManifest, parseStore} from '../kaitai/index.js'
import {manifestFileName, parseCurrentContents, tableFileName, walFileName} from '../layout/names.js'
import {checkCrc, type Problems} from './checks.js'
import {Bytes} from './bytes.js'
import type {DumpFile} from './source.js'
import {blockCount, isCompressed, isZlib, openTable, withBlock} from './sstable.js'
import {batchOf, decodeWalFile, walRecordsOf} from './wal.js'

/** The name of enum value `v` ("fnv1a64_jump"), or "unknown(v)". */
export function enumName(e: {readonly [k: number]: string}, v: number): string {
  const n = e[v]
  return typeof n === 'string' ? n.toLowerCase() : `unknown(${v})`
}

/** The manifest CURRENT names; CORRUPTION if it names none. */
export function decodeCurrent(f: DumpFile): {manifest: string} {
  const n = parseCurrentContents(f.bytes.toString('latin1'))
  if (n === undefined) throw corruption(f.path, 0, `CURRENT does not name a manifest (${JSON.stringify(f.bytes.subarray(0, 40).toString('latin1'))})`)
  return {manifest: manifestFileName(n)}
}

/** The summary of one file; see the file comment for its shape. */
export function summarize(f: DumpFile, problems: Problems): Record<string, unknown> {
  const common = {file: f.path, name: f.name, kind: f.kind, ...(f.shard === undefined ? {} : {shard: f.shard}), size: f.bytes.length}
  switch (f.kind) {
    case 'current':
      return {...common, ...decodeCurrent(f)}
    case 'store': {
      const s = parseStore(f.bytes, f.path)
      const crc = checkCrc(s.checkedSpan, s.crc, f.bytes.length - 4)
      problems.crc(f.path, 'STORE', crc)
      return {
        ...common, formatVersion: s.formatVersion, shardCount: s.shardCount, hashId: s.hashId,
        hash: enumName(Parsers.StrataStore.HashId, s.hashId), compression: enumName(Parsers.StrataSstable.BlockCompression, s.compression),
        reserved: s.reserved, shardGeneration: s.shardGeneration, blockSize: s.blockSize, createdAtMs: s.createdAtMs,
        createdBy: s.createdBy, crc,
      }
    }
    case 'manifest': {
      const m = parseManifest(f.bytes, f.path)
      const crc = checkCrc(m.checkedSpan, m.crc, f.bytes.length - 4)
      problems.crc(f.path, 'manifest', crc)
      return {
        ...common, formatVersion: m.formatVersion, shard: m.shard, nextFileNumber: m.nextFileNumber, lastSeq: m.lastSeq,
        walNumber: m.walNumber, wal: m.walNumber === 0 ? null : walFileName(m.walNumber),
        tables: m.tables.map((t) => ({
          fileNumber: t.fileNumber, file: tableFileName(t.fileNumber), fileSize: t.fileSize, level: t.level, entries: t.entries,
          minSeq: t.minSeq, maxSeq: t.maxSeq, smallestKey: new Bytes(t.smallestKey, 'key'), largestKey: new Bytes(t.largestKey, 'key'),
        })),
        crc,
      }
    }
    case 'wal': {
      const v = decodeWalFile(f.bytes, f.path, problems)
      let entries = 0
      let puts = 0
      let deletes = 0
      let withExpiry = 0
      let minSeq: number | null = null
      let maxSeq: number | null = null
      for (const r of walRecordsOf(v)) {
        for (const e of batchOf(r).entries) {
          entries++
          if (e.kind === Parsers.StrataEntry.RecordKind.DELETE) deletes++
          else puts++
          if (e.hasExpiry) withExpiry++
          const seq = e.sequence.value
          minSeq = minSeq === null ? seq : Math.min(minSeq, seq)
          maxSeq = maxSeq === null ? seq : Math.max(maxSeq, seq)
        }
      }
      return {
        ...common, formatVersion: v.header.formatVersion, shard: v.header.shard, headerCrc: v.headerCrc,
        records: v.offsets.length, entries, puts, deletes, withExpiry, minSeq, maxSeq, validLength: v.validLength,
        tornTail: v.tornTail ?? null,
      }
    }
    case 'sst': {
      const v = openTable(f.bytes, f.path, problems)
      const t = v.table
      const p = t.properties
      const blocks = {count: blockCount(v), zlib: 0, lz: 0, none: 0, storedBytes: 0, inflatedBytes: 0, entries: 0}
      for (let i = 0; i < blocks.count; i++) {
        withBlock(v, i, problems, (b, place) => {
          if (isZlib(place)) blocks.zlib++
          else if (isCompressed(place)) blocks.lz++
          else blocks.none++
          blocks.storedBytes += place.size
          blocks.inflatedBytes += b._io.size
          blocks.entries += b.entryArea.entries.length
        })
      }
      const handle = (h: {offset: number; size: number}) => ({offset: h.offset, size: h.size})
      return {
        ...common, formatVersion: t.footer.formatVersion,
        footer: {filter: handle(t.footer.filter), properties: handle(t.footer.properties), index: handle(t.footer.index), crc: v.footerCrc},
        properties: {
          entries: p.entries, puts: p.puts, deletes: p.deletes, withExpiry: p.withExpiry, minSeq: p.minSeq, maxSeq: p.maxSeq,
          rawKeyBytes: p.rawKeyBytes, rawValueBytes: p.rawValueBytes, dataBlocks: p.dataBlocks, shard: p.shard,
          createdAtMs: p.createdAtMs, level: p.level, smallestKey: new Bytes(p.smallestKey, 'key'), largestKey: new Bytes(p.largestKey, 'key'),
          createdBy: p.createdBy, extensionBytes: p.extension.length, crc: v.propertiesCrc,
        },
        filter: {bytes: t.filter.bits?.length ?? 0, probes: t.filter.probes ?? null, crc: v.filterCrc},
        index: {entries: t.index.entries.length, crc: v.indexCrc},
        dataBlocks: blocks,
      }
    }
  }
}
