/**
 * The Kaitai cross-check: every file a realistic workload leaves is decoded
 * by the parsers generated from formats/*.ksy and by the engine's own
 * readers, and both must agree record by record; every checksum recomputed
 * over a span the Kaitai parser decoded must equal the stored one.
 */
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {decodeDescriptor} from '../../src/store/descriptor.js'
import {decodeManifest} from '../../src/manifest/codec.js'
import {decodeWal} from '../../src/wal/reader.js'
import {TableReader} from '../../src/sstable/reader.js'
import {decodeFooter} from '../../src/sstable/footer.js'
import {FOOTER_SIZE, RESTART_INTERVAL} from '../../src/sstable/format.js'
import {Flag, ValueCodec, type Entry} from '../../src/record/format.js'
import {nodeFileSystem} from '../../src/vfs/node-fs.js'
import {Parsers, parseManifest, parseSstable, parseStore, parseWal, type StrataEntry} from '../../src/kaitai/index.js'
import {checksums, dataBlocks, filesOf, parseAs, runWorkload, type Workload} from './helpers.js'

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')

/** An engine entry in a comparable form, with the flags byte its encoder writes. */
function fromEngine(e: Entry) {
  let flags = 0
  if (e.expiresAt !== undefined) flags |= Flag.HAS_EXPIRY
  if (e.schema !== undefined) flags |= Flag.HAS_SCHEMA
  if (e.json) flags |= Flag.JSON
  if (e.codec !== undefined && e.codec !== ValueCodec.RAW) flags |= Flag.HAS_CODEC
  return {
    key: hex(e.key), seq: e.seq, kind: e.kind as number, flags, value: hex(e.value),
    expiresAt: e.expiresAt ?? null, json: e.json === true, codec: e.codec ?? null,
    schema: e.schema === undefined ? null : {id: e.schema.id, version: e.schema.version},
  }
}

/** A Kaitai-decoded entry in the same form. */
function fromKaitai(k: StrataEntry) {
  return {
    key: hex(k.key), seq: k.sequence.value, kind: k.kind, flags: k.flags, value: hex(k.value),
    expiresAt: k.hasExpiry ? k.expiresAt! : null, json: k.isJson, codec: k.hasCodec ? k.codec! : null,
    schema: k.hasSchema ? {id: k.schemaId!.value, version: k.schemaVersion!.value} : null,
  }
}

const stores: Record<'zlib' | 'lz' | 'none', Workload> = {} as Record<'zlib' | 'lz' | 'none', Workload>

test.before(async () => {
  stores.zlib = await runWorkload('zlib')
  stores.lz = await runWorkload('lz')
  stores.none = await runWorkload('none')
})

for (const compression of ['zlib', 'lz', 'none'] as const) {
  const label = `(compression ${compression})`

  test(`STORE decodes to what the engine reads ${label}`, (t) => {
    const file = path.join(stores[compression].dir, 'STORE')
    const buf = fs.readFileSync(file)
    const k = parseStore(buf, file)
    const d = decodeDescriptor(buf, file)
    t.deepEqual(
      {formatVersion: k.formatVersion, shardCount: k.shardCount, hashId: k.hashId, compression: k.compression,
        shardGeneration: k.shardGeneration, blockSize: k.blockSize, createdAtMs: k.createdAtMs, createdBy: k.createdBy},
      {...d, compression: d.compression as number},
    )
    t.is(k.reserved, 0)
  })

  test(`every manifest decodes to what the engine reads, and CURRENT names one ${label}`, (t) => {
    const manifests = filesOf(stores[compression].dir).filter((f) => f.kind === 'manifest')
    t.is(manifests.length, 3)
    for (const f of manifests) {
      const buf = fs.readFileSync(f.path)
      const k = parseManifest(buf, f.path)
      const m = decodeManifest(buf, f.path)
      t.deepEqual(
        {shard: k.shard, nextFileNumber: k.nextFileNumber, lastSeq: k.lastSeq, walNumber: k.walNumber,
          tables: k.tables.map((x) => ({fileNumber: x.fileNumber, fileSize: x.fileSize, level: x.level, entries: x.entries,
            minSeq: x.minSeq, maxSeq: x.maxSeq, smallestKey: hex(x.smallestKey), largestKey: hex(x.largestKey)}))},
        {...m, tables: m.tables.map((x) => ({...x, smallestKey: hex(x.smallestKey), largestKey: hex(x.largestKey)}))},
        f.path,
      )
      t.is(fs.readFileSync(path.join(path.dirname(f.path), 'CURRENT'), 'latin1'), `${f.name}\n`)
      for (const table of k.tables) {
        t.is(fs.statSync(path.join(path.dirname(f.path), `${String(table.fileNumber).padStart(6, '0')}.sst`)).size, table.fileSize)
      }
    }
  })

  test(`every WAL decodes record by record to what the engine's decodeWal returns ${label}`, (t) => {
    const wals = filesOf(stores[compression].dir).filter((f) => f.kind === 'wal')
    t.is(wals.length, 3)
    let records = 0
    for (const f of wals) {
      const buf = fs.readFileSync(f.path)
      const k = parseWal(buf, f.path)
      const w = decodeWal(buf, f.path)
      t.is(w.tornTail, undefined)
      t.is(w.validLength, buf.length)
      t.deepEqual({shard: k.header.shard, formatVersion: k.header.formatVersion}, {shard: w.shard, formatVersion: w.formatVersion})
      t.deepEqual(
        k.records.map((r) => ({offset: r.ofs, size: r.endOfs - r.ofs, type: r.type,
          entries: (r.payload as InstanceType<typeof Parsers.StrataWal.Batch>).entries.map(fromKaitai)})),
        w.batches.map((b) => ({offset: b.offset, size: b.size, type: Parsers.StrataWal.RecordType.BATCH, entries: b.entries.map(fromEngine)})),
        f.path,
      )
      records += k.records.length
    }
    t.true(records > 0, 'some writes are left in the WALs')
  })

  test(`every SSTable decodes block by block and entry by entry to what the TableReader returns ${label}`, (t) => {
    const tables = filesOf(stores[compression].dir).filter((f) => f.kind === 'sst')
    t.true(tables.length >= 3)
    for (const f of tables) {
      const buf = fs.readFileSync(f.path)
      const k = parseSstable(buf, f.path)
      const reader = TableReader.open(nodeFileSystem, f.path)
      try {
        const footer = decodeFooter(buf.subarray(buf.length - FOOTER_SIZE), f.path, buf.length - FOOTER_SIZE)
        const handle = (h: {offset: number; size: number}) => ({offset: h.offset, size: h.size})
        t.deepEqual(
          {filter: handle(k.footer.filter), properties: handle(k.footer.properties), index: handle(k.footer.index), version: k.footer.formatVersion},
          footer,
        )
        const p = k.properties
        t.deepEqual(
          {entries: p.entries, puts: p.puts, deletes: p.deletes, withExpiry: p.withExpiry, minSeq: p.minSeq, maxSeq: p.maxSeq,
            rawKeyBytes: p.rawKeyBytes, rawValueBytes: p.rawValueBytes, dataBlocks: p.dataBlocks, shard: p.shard,
            createdAtMs: p.createdAtMs, level: p.level, smallestKey: hex(p.smallestKey), largestKey: hex(p.largestKey), createdBy: p.createdBy},
          {...reader.properties, smallestKey: hex(reader.properties.smallestKey), largestKey: hex(reader.properties.largestKey)},
        )
        t.is(p.extension.length, 0)
        t.is(hex(Buffer.concat([k.filter.bits!, Buffer.from([k.filter.probes!])])), hex(reader.filter))
        t.deepEqual(
          k.index.entries.map((e) => ({lastKey: hex(e.lastKey), handle: handle(e.handle)})),
          reader.index.map((e) => ({lastKey: hex(e.lastKey), handle: e.handle})),
        )
        const blocks = dataBlocks(k)
        k.index.entries.forEach((e, i) => {
          const engine = reader.readBlock(e.handle)
          t.is(blocks[i].compression, engine.compression, `${f.name} block ${i} compression`)
          const raw = blocks[i].compression === Parsers.StrataSstable.BlockCompression.NONE
            ? e._raw__m_block!
            : (e.block as InstanceType<typeof Parsers.StrataSstable.ZlibDataBlock | typeof Parsers.StrataSstable.LzDataBlock>)._raw_inflated!
          t.is(hex(raw), hex(engine.contents), `${f.name} block ${i} contents`)
          // The restart array points at every RESTART_INTERVAL-th entry of the entry area.
          const starts = blocks[i].block.entryArea._debug.entries.arr!.map((s) => s.start)
          t.deepEqual(blocks[i].block.restarts, starts.filter((_, j) => j % RESTART_INTERVAL === 0), `${f.name} block ${i} restarts`)
          t.is(blocks[i].block.numRestarts, Math.ceil(starts.length / RESTART_INTERVAL))
          // The index key is the block's last key.
          t.is(hex(blocks[i].block.entryArea.entries.at(-1)!.key), hex(e.lastKey))
        })
        t.deepEqual(
          blocks.flatMap((b) => b.block.entryArea.entries.map(fromKaitai)),
          [...reader.entries()].map(fromEngine),
          f.path,
        )
      } finally {
        reader.close()
      }
    }
  })

  test(`every checksum recomputed over a Kaitai-decoded span matches the stored one ${label}`, (t) => {
    let n = 0
    for (const f of filesOf(stores[compression].dir)) {
      if (f.kind === undefined) continue
      for (const c of checksums(parseAs(f.kind, fs.readFileSync(f.path), f.path))) {
        t.is(c.computed, c.stored, `${f.path}: ${c.what}`)
        n++
      }
    }
    t.true(n > 20)
  })
}

test('the workloads exercise every feature the cross-check is meant to cover', (t) => {
  const seen = {zlibBlocks: 0, lzBlocks: 0, rawBlocks: 0, multiRestartBlocks: 0, levels: new Set<number>(), tombstones: 0, expiring: 0, json: 0,
    nulKeys: 0, ffKeys: 0, walEntries: 0, walTombstones: 0, walExpiring: 0, files: new Map<string, number>()}
  const {PUT, DELETE} = Parsers.StrataEntry.RecordKind
  const note = (e: StrataEntry): void => {
    if (e.kind === DELETE) seen.tombstones++
    if (e.hasExpiry) seen.expiring++
    if (e.isJson) seen.json++
    if (e.key.includes(0x00)) seen.nulKeys++
    if (e.key.includes(0xff)) seen.ffKeys++
    t.true(e.kind === PUT || e.kind === DELETE)
  }
  for (const w of Object.values(stores)) {
    for (const f of filesOf(w.dir)) {
      seen.files.set(f.kind ?? f.name, (seen.files.get(f.kind ?? f.name) ?? 0) + 1)
      if (f.kind === 'sst') {
        const k = parseSstable(fs.readFileSync(f.path), f.path)
        seen.levels.add(k.properties.level)
        for (const b of dataBlocks(k)) {
          if (b.compression === Parsers.StrataSstable.BlockCompression.ZLIB) seen.zlibBlocks++
          else if (b.compression === Parsers.StrataSstable.BlockCompression.LZ) seen.lzBlocks++
          else seen.rawBlocks++
          if (b.block.numRestarts > 1) seen.multiRestartBlocks++
          b.block.entryArea.entries.forEach(note)
        }
      } else if (f.kind === 'wal') {
        for (const r of parseWal(fs.readFileSync(f.path), f.path).records) {
          for (const e of (r.payload as InstanceType<typeof Parsers.StrataWal.Batch>).entries) {
            seen.walEntries++
            if (e.kind === DELETE) seen.walTombstones++
            if (e.hasExpiry) seen.walExpiring++
            note(e)
          }
        }
      }
    }
  }
  t.true(seen.zlibBlocks > 0, 'zlib data blocks')
  t.true(seen.lzBlocks > 0, 'lz data blocks')
  t.true(seen.rawBlocks > 0, 'uncompressed data blocks')
  t.true(seen.multiRestartBlocks > 0, 'blocks with several restart points')
  t.deepEqual([...seen.levels].sort(), [0, 1], 'flush (level 0) and compaction (level 1) tables')
  for (const k of ['tombstones', 'expiring', 'json', 'nulKeys', 'ffKeys', 'walEntries', 'walTombstones', 'walExpiring'] as const) {
    t.true(seen[k] > 0, k)
  }
  t.deepEqual(Object.fromEntries([...seen.files].sort()), {
    CURRENT: 9, LOCK: seen.files.get('LOCK') ?? 0, manifest: 9, sst: seen.files.get('sst')!, store: 3, wal: 9,
  })
})
