/**
 * The registry's version file: one per version of one schema name, at
 * DIR/schemas/NAME.NNNNNN.schema (src/layout/names.ts). Specified in
 * formats/README.md ("Schema registry"). Two lines of UTF-8 text:
 *
 *   {"format":1,"name":N,"id":I,"version":V,"compatibility":C,"schema":{…},"changes":[…]}\n
 *   crc32 XXXXXXXX\n
 *
 * Line 1 is one JSON object (no newline inside); line 2 is "crc32 " and the
 * CRC-32 (zlib polynomial, util/crc.ts) of line 1's bytes, without its
 * newline, as 8 lowercase hex digits. Nothing follows line 2. A file is
 * written whole as NAME.NNNNNN.schema.tmp, synced, renamed, and its folder
 * synced: a reader sees a complete file or none.
 *
 * `id` is the schema name's number, the one records carry (record/format.ts):
 * the same in every version of a name, never reused by another name.
 */
import {decodeCheckedJson, encodeCheckedJson} from './checked-json.js'

/** The `format` field of a version file. Written to disk; a new layout is a new number. */
export const SCHEMA_FILE_FORMAT = 1

/** Compatibility modes, as in Confluent Schema Registry. Written to disk (by name); never change. */
export const COMPATIBILITY_MODES = ['BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE', 'NONE'] as const
export type Compatibility = (typeof COMPATIBILITY_MODES)[number]
/** The mode of a schema name registered without one. */
export const DEFAULT_COMPATIBILITY: Compatibility = 'BACKWARD'

/** Types a retype converts to. Written to disk (by name); never change. */
export const RETYPE_TARGETS = ['string', 'number', 'integer', 'boolean', 'iso-date', 'epoch-ms'] as const
export type RetypeTarget = (typeof RETYPE_TARGETS)[number]

/** One declared change from the previous version. Fields are dotted paths ("a.b"). */
export type SchemaChange =
  | {readonly op: 'add'; readonly field: string; readonly default?: unknown}
  | {readonly op: 'remove'; readonly field: string}
  | {readonly op: 'rename'; readonly from: string; readonly to: string}
  | {readonly op: 'retype'; readonly field: string; readonly to: RetypeTarget}

/** One registered version of one schema name, as its file holds it. */
export interface SchemaVersion {
  readonly name: string
  readonly id: number
  readonly version: number
  readonly compatibility: Compatibility
  /** The JSON Schema (draft 2020-12) values of this version must match. */
  readonly schema: Record<string, unknown>
  /** The ordered changes from version - 1 (empty for version 1). */
  readonly changes: readonly SchemaChange[]
}

/** The bytes of the version file of `v`. */
export function encodeSchemaFile(v: SchemaVersion): Buffer {
  return encodeCheckedJson({format: SCHEMA_FILE_FORMAT, name: v.name, id: v.id, version: v.version, compatibility: v.compatibility, schema: v.schema, changes: v.changes})
}

/**
 * The JSON object of a version file's bytes, its checksum checked, or a
 * reason it is damaged. The object's fields are checked by the caller
 * (registry.ts), which knows the file's name.
 */
export const decodeSchemaFile = decodeCheckedJson
