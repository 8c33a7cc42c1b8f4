/**
 * How dump prints a record. JSON/NDJSON lines are exactly what `put --batch`
 * reads (src/bulk/ndjson-line.ts) and the same lines as `exportLive`, in get/scan's record shape:
 *
 *   put:    {"key", "keyEncoding", "value", "valueEncoding", "json", "expiresAt": number|null, "shard", "seq", "schema"?: "NAME@V"}
 *           ("schema" with --latest, for a record stamped with a schema: the version shown)
 *   delete: {"key", "keyEncoding", "delete": true, "shard", "seq"}
 *
 * Values are always given as their bytes (never re-serialised JSON), so a
 * record round-trips byte for byte: a value written with --json comes out as
 * its exact text with "json": true. With `locations` (dump --locations) each
 * record also says where it was found - "file", "offset" (WAL: the record's
 * offset; SSTable: the data block's), "block" (SSTable), "flags" (names of
 * the entry's flag bits), "codec", "storedBytes" and "schema" - and is then
 * no longer a `put --batch` line.
 */
import {formatText} from '../../../codec/encoding.js'
import {exportLineJson, type RecordEncodings} from '../../../codec/record-json.js'
import {Parsers} from '../../../kaitai/index.js'
import {isoTime} from './present.js'
import {flagNames, type DumpRecord} from '../../../dump/records.js'
import {enumName} from '../../../dump/summary.js'

/** The JSON form of `r`; see the file comment. */
export function recordJson(r: DumpRecord & {schemaName?: string}, enc: RecordEncodings, locations = false): Record<string, unknown> {
  const kv = {key: r.key, value: r.value, seq: r.seq, shard: r.shard, json: r.json, ...(r.expiresAt === undefined ? {} : {expiresAt: r.expiresAt})}
  const base = exportLineJson(kv, enc, r.kind === 'delete')
  // dump --latest names a stamped record's schema version ("NAME@V"), as get and scan do.
  if (!locations) return r.schemaName === undefined ? {...base} : {...base, schema: r.schemaName}
  return {
    ...base, file: r.file, offset: r.offset, ...(r.block === undefined ? {} : {block: r.block}),
    flags: flagNames(r.flags), codec: enumName(Parsers.StrataEntry.ValueCodec, r.codec), storedBytes: r.storedBytes,
    ...(r.schema ? {schema: r.schema} : {}),
  }
}

/** Where a record is, for text: "@20" (WAL record) or "block 3 @4096" (SSTable). */
export function locationText(r: DumpRecord): string {
  return r.block === undefined ? `@${r.offset}` : `block ${r.block} @${r.offset}`
}

/** The columns of a record in text and table output (after the file name). */
export const RECORD_COLUMNS = ['AT', 'SEQ', 'KIND', 'KEY', 'VALUE', 'EXPIRES', 'FLAGS'] as const

/** A record's cells for RECORD_COLUMNS: bytes escaped so a record is one line; an expired record is marked. */
export function recordCells(r: DumpRecord, enc: RecordEncodings, now: number): string[] {
  const expires = r.expiresAt === undefined ? '-' : `${isoTime(r.expiresAt)}${r.expiresAt <= now ? ' (expired)' : ''}`
  const flags = flagNames(r.flags)
  return [
    locationText(r), String(r.seq), r.kind, formatText(r.key, enc.key), r.kind === 'delete' ? '' : formatText(r.value, enc.value),
    expires, flags.length > 0 ? flags.join(',') : '-',
  ]
}
