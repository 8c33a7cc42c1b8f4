/**
 * Typed access to strata's files through the parsers generated from the
 * Kaitai Struct specs in formats/ (one per file kind). These parsers share
 * no code with the engine's own readers, so tools built on them (dump,
 * verify, the cross-check tests) decode every byte independently.
 *
 * Each `parseX` decodes the whole file before it returns - for a table, the
 * footer, the meta blocks and (unless asked not to) every data block,
 * decompressed when zlib or lz - so damage is found here. Any failure (unexpected end
 * of data, a failed `valid:` check, a bad zlib or lz stream, an impossible length)
 * is a StrataError CORRUPTION naming the file, the byte offset and the field
 * path; a format version newer than the specs know is UNSUPPORTED, as in the
 * engine. Checksums are not verified here: decoded objects expose the bytes
 * each checksum covers (`checkedSpan`).
 *
 * Every decoded object carries `_debug` byte spans; `fieldSpan` turns them
 * into file offsets.
 */
import * as zlib from 'node:zlib'
import {ErrorCode, StrataError} from '../errors.js'
import {MAX_INFLATED_BLOCK_BYTES} from '../sstable/reader.js'
import {toStrataError, type ParseContext} from './failure.js'
import {STORE_FILE, parseFileName} from '../layout/names.js'
import {fieldSpan, KaitaiStream, streamOf, type KaitaiNode} from './spans.js'
import walModule from './generated/StrataWal.cjs'
import sstableModule from './generated/StrataSstable.cjs'
import manifestModule from './generated/StrataManifest.cjs'
import storeModule from './generated/StrataStore.cjs'
import entryModule from './generated/StrataEntry.cjs'
import lzProcessor from './generated/StrataLz.cjs'
import type {StrataWal} from './generated/StrataWal.cjs'
import type {StrataSstable} from './generated/StrataSstable.cjs'
import type {StrataManifest} from './generated/StrataManifest.cjs'
import type {StrataStore} from './generated/StrataStore.cjs'
import type {StrataEntry} from './generated/StrataEntry.cjs'

export type {StrataWal, StrataSstable, StrataManifest, StrataStore, StrataEntry}
export type {KaitaiNode} from './spans.js'
export {fieldSpan}

/** The generated parser classes, for their enums (e.g. `Parsers.StrataEntry.RecordKind.PUT`) and nested types. */
export const Parsers = {
  StrataWal: walModule.StrataWal,
  StrataSstable: sstableModule.StrataSstable,
  StrataManifest: manifestModule.StrataManifest,
  StrataStore: storeModule.StrataStore,
  StrataEntry: entryModule.StrataEntry,
} as const

// processZlib inflates through KaitaiStream.zlib; bound its output as the engine's reader does.
;(KaitaiStream as unknown as {zlib: unknown}).zlib = {
  inflateSync: (data: Uint8Array): Buffer => zlib.inflateSync(data, {maxOutputLength: MAX_INFLATED_BLOCK_BYTES}),
}
// `process: strata_lz` (its own decoder, not the engine's) accepts blocks up to the engine reader's bound.
lzProcessor.StrataLz.maxOutput = MAX_INFLATED_BLOCK_BYTES

/** An SSTable data block, uncompressed. */
export type DataBlock = StrataSstable.DataBlock

/**
 * What `parseSstable` does with data blocks:
 * - 'keep' (default): decode every block and keep it (`dataBlock` returns it at once);
 * - 'check': decode every block, then release it - every byte is checked, memory stays one block;
 * - 'skip': leave them (footer, filter, properties and index only; `dataBlock` decodes on demand).
 */
export type DataBlocksMode = 'keep' | 'check' | 'skip'

/** Where each parsed table came from, so blocks decoded on demand report errors against it. */
const origins = new WeakMap<StrataSstable, ParseContext>()

/** Decodes a WAL (NNNNNN.wal). The parser is strict: a torn tail is reported as corruption. */
export function parseWal(buf: Buffer, file = 'WAL'): StrataWal {
  return parse(context(buf, file, 'WAL', walModule.StrataWal.WalFormat), (io) => new walModule.StrataWal(io), (wal) => {
    void wal.header.checkedSpan
    for (const r of wal.records) void r.checkedSpan
  })
}

/** Decodes an SSTable (NNNNNN.sst): the magic first, then footer, meta blocks, index and data blocks. */
export function parseSstable(buf: Buffer, file = 'SSTable', options: {readonly dataBlocks?: DataBlocksMode} = {}): StrataSstable {
  const mode = options.dataBlocks ?? 'keep'
  const ctx = context(buf, file, 'SSTable', sstableModule.StrataSstable.TableFormat)
  const table = parse(ctx, (io) => new sstableModule.StrataSstable(io), (t) => {
    void t.magic
    const f = t.footer
    void f.checkedSpan
    for (const h of [f.filter, f.properties, f.index]) void [h.trailer, h.checkedSpan]
    void [t.filter, t.properties, t.index, t.indexOffsets]
    t.index.entries.forEach((e, i) => {
      void [e.handle.trailer, e.handle.checkedSpan]
      if (mode === 'skip') return
      forceBlock(e)
      if (mode === 'check') releaseDataBlock(t, i)
    })
  })
  origins.set(table, ctx)
  return table
}

/** Decodes a shard manifest (MANIFEST-NNNNNN). */
export function parseManifest(buf: Buffer, file = 'MANIFEST'): StrataManifest {
  const ctx = context(buf, file, 'manifest', manifestModule.StrataManifest.ManifestFormat)
  return parse(ctx, (io) => new manifestModule.StrataManifest(io), (m) => void m.checkedSpan)
}

/** Decodes the data directory descriptor (STORE). */
export function parseStore(buf: Buffer, file = 'STORE'): StrataStore {
  return parse(context(buf, file, 'STORE', storeModule.StrataStore.StoreFormat), (io) => new storeModule.StrataStore(io), (s) => void s.checkedSpan)
}

/**
 * Data block `i` of a table from `parseSstable`, uncompressed (inflated if
 * zlib), decoding it now if it is not decoded yet; a failure is CORRUPTION
 * naming the table's file.
 */
export function dataBlock(table: StrataSstable, i: number): DataBlock {
  const e = table.index.entries[i]
  if (e === undefined) throw new StrataError(ErrorCode.INVALID_ARGUMENT, `data block ${i} does not exist (the table has ${table.index.entries.length})`)
  const ctx = origins.get(table)
  if (ctx === undefined) return forceBlock(e)
  try {
    return forceBlock(e)
  } catch (err) {
    throw toStrataError(err, table, ctx)
  }
}

/** Forgets decoded data block `i`, so a scan of a large table holds one block at a time. */
export function releaseDataBlock(table: StrataSstable, i: number): void {
  const e = table.index.entries[i] as unknown as {_m_block?: unknown; _raw__m_block?: unknown}
  // The generated getter decodes again when its memo (_m_block) is undefined.
  e._m_block = undefined
  e._raw__m_block = undefined
}

/** The file kinds the parsers decode. */
export type FileKind = 'store' | 'manifest' | 'wal' | 'sst'

/** The kind of a data-directory file by its name (STORE, MANIFEST-NNNNNN, NNNNNN.wal, NNNNNN.sst), or undefined. */
export function fileKindOf(name: string): FileKind | undefined {
  const base = name.replace(/^.*[\\/]/, '')
  if (base === STORE_FILE) return 'store'
  return parseFileName(base)?.kind
}

/** Decodes the data block `e` names and its restart array. */
function forceBlock(e: StrataSstable.IndexEntry): DataBlock {
  const b = e.block
  const block = b instanceof sstableModule.StrataSstable.ZlibDataBlock || b instanceof sstableModule.StrataSstable.LzDataBlock ? b.inflated : b
  if (!(block instanceof sstableModule.StrataSstable.DataBlock)) {
    // Unreachable: the trailer's compression is validated before the block is read.
    throw new Error('data block with an unknown compression')
  }
  void [block.numRestarts, block.restarts, block.entryArea]
  return block
}

function context(buf: Buffer, file: string, kind: string, versions: {readonly [k: string]: string | number}): ParseContext {
  const newestVersion = Math.max(...Object.values(versions).filter((v): v is number => typeof v === 'number'))
  return {buf, file, kind, newestVersion}
}

/** Runs the generated parser and `force` (which reads every lazy part), mapping failures to StrataErrors. */
function parse<T extends KaitaiNode & {_read(): void}>(ctx: ParseContext, create: (io: KaitaiStream) => T, force: (parsed: T) => void): T {
  const root = create(streamOf(ctx.buf))
  try {
    root._read()
    force(root)
  } catch (err) {
    throw toStrataError(err, root, ctx)
  }
  return root
}
