/**
 * Records as dump lists them: every entry of a WAL or an SSTable, decoded by
 * the Kaitai parsers, with where it was found. Values are given as the user
 * wrote them (a zlib value codec is undone); keys and values are views into
 * the file's bytes, not copies.
 */
import * as zlib from 'node:zlib'
import {corruption} from '../errors.js'
import {MAX_VALUE_BYTES} from '../record/format.js'
import {Parsers, type StrataEntry} from '../kaitai/index.js'
import type {Problems} from './checks.js'
import {batchOf, walRecordsOf, type WalView} from './wal.js'
import {tableEntries, type TableView} from './sstable.js'

/** One stored version of a key. */
export interface DumpRecord {
  /** Path of the file holding it. */
  readonly file: string
  readonly shard: number
  /** WAL: file offset of the record (batch) holding it; SSTable: file offset of its data block. */
  readonly offset: number
  /** SSTable: index of its data block. */
  readonly block?: number
  readonly seq: number
  readonly kind: 'put' | 'delete'
  readonly key: Buffer
  /** The value as written (inflated if stored with the zlib value codec); empty for a delete. */
  readonly value: Buffer
  /** Size of the value as stored. */
  readonly storedBytes: number
  readonly expiresAt?: number
  readonly json: boolean
  /** The entry's flag bits (entry_flag). */
  readonly flags: number
  /** value_codec; 0 (raw) when absent. */
  readonly codec: number
  readonly schema?: {readonly id: number; readonly version: number}
}

/** Names of the set entry_flag bits, e.g. ["has_expiry", "json"]. */
export function flagNames(flags: number): string[] {
  const names: string[] = []
  for (const [name, bit] of Object.entries(Parsers.StrataEntry.EntryFlag)) {
    if (typeof bit === 'number' && (flags & bit) !== 0) names.push(name.toLowerCase())
  }
  return names
}

/** A Buffer over the same bytes. */
export function bytesOf(u: Uint8Array): Buffer {
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength)
}

/** The record for a Kaitai-decoded entry found at `offset` of `file`. */
export function toRecord(e: StrataEntry, file: string, shard: number, offset: number, block?: number): DumpRecord {
  const stored = bytesOf(e.value)
  const codec = e.hasCodec ? e.codec! : Parsers.StrataEntry.ValueCodec.RAW
  let value = stored
  if (codec === Parsers.StrataEntry.ValueCodec.ZLIB) {
    try {
      value = zlib.inflateSync(stored, {maxOutputLength: MAX_VALUE_BYTES})
    } catch (err) {
      throw corruption(file, offset, `value of seq ${e.sequence.value} does not inflate (${(err as Error).message})`)
    }
  }
  return {
    file, shard, offset, ...(block === undefined ? {} : {block}),
    seq: e.sequence.value,
    kind: e.kind === Parsers.StrataEntry.RecordKind.DELETE ? 'delete' : 'put',
    key: bytesOf(e.key),
    value,
    storedBytes: stored.length,
    ...(e.hasExpiry ? {expiresAt: e.expiresAt!} : {}),
    json: e.isJson,
    flags: e.flags,
    codec,
    ...(e.hasSchema ? {schema: {id: e.schemaId!.value, version: e.schemaVersion!.value}} : {}),
  }
}

/** Every entry of a WAL in log order. `shard` defaults to the header's. */
export function* walRecords(view: WalView, file: string, shard: number = view.header.shard): Generator<DumpRecord> {
  for (const r of walRecordsOf(view)) {
    for (const e of batchOf(r).entries) yield toRecord(e, file, shard, r.ofs)
  }
}

/** Every entry of a table in key order, one decoded block at a time. `shard` defaults to the properties'. */
export function* tableRecords(view: TableView, problems: Problems, shard: number = view.table.properties.shard): Generator<DumpRecord> {
  for (const {block, place, entry} of tableEntries(view, problems)) yield toRecord(entry, view.file, shard, place.offset, block)
}

/** True when the record reads as a live value at `now`: a put that has not expired. */
export function isLiveRecord(r: DumpRecord, now: number): boolean {
  return r.kind === 'put' && (r.expiresAt === undefined || r.expiresAt > now)
}
