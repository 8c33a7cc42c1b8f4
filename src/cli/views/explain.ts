/**
 * `strata explain KEY`: prints the engine's KeyExplanation - the key's
 * shard and hash, and every stored version, newest first, with where it is
 * and why it does or does not win.
 *
 * JSON document (stable; fields may be added):
 *   {
 *     "key", "keyEncoding", "shard", "generation",    // the key's shard in STORE's shard generation
 *     "hash",                                         // the key's 64-bit FNV-1a, 16 hex digits
 *     "state": "live" | "deleted" | "expired" | "missing",
 *     "winner": number | null,                        // index in versions of the version reads return
 *     "reason": string,                               // why the key is in that state
 *     "versions": [{
 *       "source": "wal" | "sstable", "file", "offset",  // WAL: the record's offset; SSTable: the data block's
 *                                                     // file: under --dir as given (as dump prints it), the same in text
 *       "level": number | null, "seq", "kind": "put" | "delete", "expiresAt": number | null,
 *       "valueBytes",                                 // size as stored
 *       "value"?, "valueEncoding"?,                   // puts only (always in JSON; text/table with --values)
 *       "status": "wins" | "deleted" | "expired" | "shadowed", "reason",
 *       "schema"?: {"name", "storedVersion", "resolvedVersion"}  // a record stamped with a schema: the version
 *                                                     // stored, and the one reads upgrade it to
 *     }]
 *   }
 * NDJSON: the same document on one line.
 */
import type {ExplainedVersion, KeyExplanation} from '../../api.js'
import {formatJson, formatText} from '../../codec/encoding.js'
import type {Output} from '../output/output.js'
import type {RecordEncodings} from '../output/records.js'
import {bytesText, isoTime} from './dump/present.js'

/** A stamped version's schema: its name, the version stored and the one reads give. */
export interface VersionSchema {
  readonly name: string
  readonly storedVersion: number
  readonly resolvedVersion: number
}
/** The schema of each stamped version of an explanation, by version. */
export type VersionSchemas = ReadonlyMap<ExplainedVersion, VersionSchema>

/** Why a version has its status. */
export function versionReason(v: ExplainedVersion, newest: ExplainedVersion): string {
  switch (v.status) {
    case 'wins':
      return v.expiresAt === undefined ? 'newest version, live' : `newest version, live until ${isoTime(v.expiresAt)}`
    case 'deleted':
      return 'newest version is a tombstone: the key reads as absent'
    case 'expired':
      return `newest version expired at ${isoTime(v.expiresAt ?? 0)}: the key reads as absent`
    case 'shadowed':
      return `older than seq ${newest.seq}, which hides it`
  }
}

/** Why the key is in its state. */
export function stateReason(e: KeyExplanation): string {
  const newest = e.versions[0]
  if (newest === undefined) return 'no version of the key is stored'
  const n = e.versions.length
  const older = n > 1 ? ` (${n - 1} older version${n === 2 ? '' : 's'} shadowed)` : ''
  return `${versionReason(newest, newest)}${older}`
}

/** The JSON document; see the file comment. */
export function explanationJson(e: KeyExplanation, enc: RecordEncodings, schemas?: VersionSchemas): Record<string, unknown> {
  const key = formatJson(e.key, enc.key)
  return {
    key: key.text, keyEncoding: key.encoding, shard: e.shard, generation: e.generation, hash: e.hash, state: e.state,
    winner: e.state === 'live' ? 0 : null,
    reason: stateReason(e),
    versions: e.versions.map((v) => {
      const value = v.value === undefined ? undefined : formatJson(v.value, enc.value)
      return {
        source: v.source, file: v.file, offset: v.offset, level: v.level ?? null, seq: v.seq, kind: v.kind,
        expiresAt: v.expiresAt ?? null, valueBytes: v.valueBytes,
        ...(value === undefined ? {} : {value: value.text, valueEncoding: value.encoding}),
        status: v.status, reason: versionReason(v, e.versions[0]),
        ...(schemas?.has(v) ? {schema: schemas.get(v)} : {}),
      }
    }),
  }
}

/** Prints the explanation in the output's format. `values` shows values in text and table output. */
export async function printExplanation(out: Output, e: KeyExplanation, options: {enc: RecordEncodings; values: boolean; schemas?: VersionSchemas}): Promise<void> {
  const {enc, values, schemas} = options
  if (out.format === 'json') return out.json(explanationJson(e, enc, schemas))
  if (out.format === 'ndjson') return out.ndjson(explanationJson(e, enc, schemas))
  const schemaText = (v: ExplainedVersion): string | undefined => {
    const s = schemas?.get(v)
    return s === undefined ? undefined : `${s.name}@${s.storedVersion}${s.resolvedVersion !== s.storedVersion ? ` (read as @${s.resolvedVersion})` : ''}`
  }
  const withSchemas = schemas !== undefined && schemas.size > 0
  const c = out.color
  const stateColor = e.state === 'live' ? c.green : e.state === 'missing' ? c.yellow : c.red
  const head: Array<[string, string]> = [
    ['key', bytesText(e.key, enc)], ['shard', e.generation === 0 ? String(e.shard) : `${e.shard} (generation ${e.generation})`], ['hash', e.hash],
    ['state', stateColor(e.state)], ['why', stateReason(e)], ['versions', String(e.versions.length)],
  ]
  const status = (v: ExplainedVersion): string => (v.status === 'wins' ? c.green(v.status) : v.status === 'shadowed' ? c.dim(v.status) : c.red(v.status))
  const where = (v: ExplainedVersion): string => `${v.source === 'wal' ? 'WAL/memtable' : `SSTable L${v.level ?? '?'}`}`
  if (out.format === 'table') {
    await out.fields(head)
    if (e.versions.length === 0) return
    const rows = e.versions.map((v) => [
      String(v.seq), status(v), v.kind, where(v), v.file, String(v.offset), v.expiresAt === undefined ? '' : isoTime(v.expiresAt),
      String(v.valueBytes), ...(values ? [v.value === undefined ? '' : formatText(v.value, enc.value)] : []), ...(withSchemas ? [schemaText(v) ?? ''] : []),
      versionReason(v, e.versions[0]),
    ])
    await out.table(['SEQ', 'STATUS', 'KIND', 'SOURCE', 'FILE', 'OFFSET', 'EXPIRES', 'VALUE BYTES', ...(values ? ['VALUE'] : []), ...(withSchemas ? ['SCHEMA'] : []), 'WHY'], rows, {
      align: ['right', 'left', 'left', 'left', 'left', 'right', 'left', 'right'],
    })
    return
  }
  for (const [k, v] of head) await out.line(`${k}: ${v}`)
  for (const v of e.versions) {
    const parts = [
      `seq=${v.seq}`, v.kind, `source=${v.source === 'wal' ? 'wal' : `sstable level=${v.level ?? '?'}`}`, `file=${v.file}`,
      `offset=${v.offset}`, ...(v.expiresAt === undefined ? [] : [`expires=${isoTime(v.expiresAt)}`]), `valueBytes=${v.valueBytes}`,
      ...(values && v.value !== undefined ? [`value=${bytesText(v.value, enc, 'value')}`] : []),
      ...(schemaText(v) === undefined ? [] : [`schema=${schemaText(v)}`]),
    ]
    await out.line(`  ${status(v)}: ${parts.join(' ')} - ${versionReason(v, e.versions[0])}`)
  }
}
