/**
 * Every name in a data directory, built and parsed here and nowhere else.
 *
 *   DIR/STORE                     the descriptor (written as STORE.tmp, renamed)
 *   DIR/LOCK                      the writer lock (flock)
 *   DIR/INIT-IN-PROGRESS          while init runs, renamed to STORE last
 *   DIR/CHECKPOINT-PARTIAL        in a checkpoint's output until STORE is durable
 *   DIR/STORE.damaged-<ms>        a damaged STORE that repair set aside
 *   DIR/pins/<id>/OWNER           a cut's pin folder and its owner
 *   DIR/pins/<id>/shard-NNNN/…    hard links to the files the cut uses
 *   DIR/REBALANCE                 a shard-rebalance's journal (written as REBALANCE.tmp)
 *   DIR/shard-NNNN/CURRENT        "MANIFEST-NNNNNN\n" (written as CURRENT.tmp)
 *   DIR/shard-NNNN/MANIFEST-NNNNNN, NNNNNN.wal, NNNNNN.sst
 *   DIR/shard-NNNN.gG/…           shard NNNN of shard generation G ≥ 1 (generation 0 has no suffix)
 *   DIR/schemas/NAME.NNNNNN.schema  version NNNNNN of value schema NAME (written as ….tmp, renamed)
 *   DIR/schemas/MIGRATION         the journal of a migrate-schema in progress (written as ….tmp, renamed)
 *   DIR/schemas/MIGRATION-TABLES/shard-NNNN/NNNNNN.sst  tables a migrate-schema built for a shard, not yet installed
 *   DIR/STORE-ID                  the store's identity for replicas (written as STORE-ID.<pid>.tmp, linked)
 *
 * A read replica's local directory (`serve --replica-of`) is not a store: it
 * holds restored stores, one per applied cut, and the state naming the one served:
 *
 *   LOCAL/REPLICA-STATE           JSON: the replica followed and the cut served (written as ….tmp, renamed)
 *   LOCAL/cuts/<cut id>/          a store restored from that cut of the replica
 *
 * File numbers are per shard, allocated from the manifest's next_file_number,
 * and never reused. This module sits below every other: it imports nothing
 * of the engine.
 */
import * as path from 'node:path'

export const joinPath = path.join

export const STORE_FILE = 'STORE'
/** STORE being written, renamed over STORE. */
export const STORE_TMP_FILE = `${STORE_FILE}.tmp`
export const LOCK_FILE = 'LOCK'
/** The marker of an init in progress (or of one that crashed). Its name is the contract; its bytes are not. */
export const INIT_MARKER = 'INIT-IN-PROGRESS'
/** In a directory a checkpoint is writing: present from its start until STORE is durable. */
export const CHECKPOINT_PARTIAL_FILE = 'CHECKPOINT-PARTIAL'
/** The folder of the pins of held cuts. */
export const PINS_DIR = 'pins'
/** In a pin folder: who holds the pin. */
export const OWNER_FILE = 'OWNER'
export const CURRENT_FILE = 'CURRENT'
/** CURRENT being written, renamed over CURRENT. */
export const CURRENT_TMP_FILE = `${CURRENT_FILE}.tmp`

/**
 * The store's identity: a random id that replicas are bound to, made by the
 * first replicate. Never copied: a checkpoint or a restore is a new store.
 */
export const STORE_ID_FILE = 'STORE-ID'
/** STORE-ID being written by process `pid`, then hard-linked as STORE-ID if that is still absent. */
export function storeIdTmpName(pid: number): string {
  return `${STORE_ID_FILE}.${pid}.tmp`
}

/** The name a damaged STORE is kept under, set aside at `ms` (epoch milliseconds). */
export function damagedStoreName(ms: number): string {
  return `${STORE_FILE}.damaged-${ms}`
}

/** A shard-rebalance's journal: its plan and progress (src/rebalance/journal.ts). */
export const REBALANCE_FILE = 'REBALANCE'
/** The journal being written, renamed over REBALANCE. */
export const REBALANCE_TMP_FILE = `${REBALANCE_FILE}.tmp`

/**
 * The directory of shard `i` of shard generation `generation` (STORE's
 * shard_generation): shard-0000, shard-0001, ... for generation 0, and
 * shard-0003.g2 for shard 3 of generation 2.
 */
export function shardDirName(i: number, generation = 0): string {
  const base = `shard-${String(i).padStart(4, '0')}`
  return generation === 0 ? base : `${base}.g${generation}`
}

/** A shard directory's shard number and generation, or undefined for other names. */
export function parseShardDir(name: string): {shard: number; generation: number} | undefined {
  const m = /^shard-(\d{4})(?:\.g([1-9]\d{0,9}))?$/.exec(name)
  return m ? {shard: Number(m[1]), generation: m[2] === undefined ? 0 : Number(m[2])} : undefined
}

/** The shard number of a directory of generation `generation`, or undefined for other names (other generations included). */
export function parseShardDirName(name: string, generation = 0): number | undefined {
  const p = parseShardDir(name)
  return p !== undefined && p.generation === generation ? p.shard : undefined
}

/** Whether `name` is the name of a shard directory of any generation. */
export function isShardDirName(name: string): boolean {
  return parseShardDir(name) !== undefined
}

/** The folder of pin `id` in data directory `dir`. */
export function pinDirPath(dir: string, id: string): string {
  return joinPath(dir, PINS_DIR, id)
}

function fileNumber(n: number): string {
  return String(n).padStart(6, '0')
}

export function walFileName(n: number): string {
  return `${fileNumber(n)}.wal`
}

export function tableFileName(n: number): string {
  return `${fileNumber(n)}.sst`
}

export function manifestFileName(n: number): string {
  return `MANIFEST-${fileNumber(n)}`
}

/** The kind and number of a shard-directory file name, or undefined for other names. */
export function parseFileName(name: string): {kind: 'wal' | 'sst' | 'manifest'; number: number} | undefined {
  let m = /^(\d{6,})\.(wal|sst)$/.exec(name)
  if (m) return {kind: m[2] as 'wal' | 'sst', number: Number(m[1])}
  m = /^MANIFEST-(\d{6,})$/.exec(name)
  if (m) return {kind: 'manifest', number: Number(m[1])}
  return undefined
}

/** The contents of a CURRENT naming manifest `n`. */
export function currentContents(n: number): Buffer {
  return Buffer.from(`${manifestFileName(n)}\n`, 'latin1')
}

/** The manifest number CURRENT's contents `text` (latin1) name, or undefined if they name none. */
export function parseCurrentContents(text: string): number | undefined {
  const m = /^MANIFEST-(\d{6,})\n$/.exec(text)
  return m ? Number(m[1]) : undefined
}

/** The folder of the value-schema registry. */
export const SCHEMAS_DIR = 'schemas'
/** In SCHEMAS_DIR: the journal of a schema migration in progress. */
export const MIGRATION_FILE = 'MIGRATION'
/** In SCHEMAS_DIR: the folder of the tables a migration built and has not yet installed in their shards. */
export const MIGRATION_TABLES_DIR = 'MIGRATION-TABLES'
/** The folder of the tables a migration of the store in `dir` built for shard `shard`; they are named by tableFileName. */
export function migrationTablesPath(dir: string, shard: number): string {
  return joinPath(dir, SCHEMAS_DIR, MIGRATION_TABLES_DIR, shardDirName(shard))
}
/** A file being written in SCHEMAS_DIR, renamed over `name` once synced. */
export function schemasTmpName(name: string): string {
  return `${name}.tmp`
}

/** The file of version `version` of schema `name` (a name matching SCHEMA_NAME). */
export function schemaFileName(name: string, version: number): string {
  return `${name}.${fileNumber(version)}.schema`
}

/** The rule of a schema name: a letter, then letters, digits, "_" or "-"; at most 64 characters. */
export const SCHEMA_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/

/** The schema name and version a registry file's name gives, or undefined for other names. */
export function parseSchemaFileName(name: string): {name: string; version: number} | undefined {
  const m = /^([A-Za-z][A-Za-z0-9_-]{0,63})\.(\d{6,})\.schema$/.exec(name)
  return m ? {name: m[1], version: Number(m[2])} : undefined
}

/** In a read replica's local directory: the state naming its source and the cut it serves. */
export const REPLICA_STATE_FILE = 'REPLICA-STATE'
/** The state being written, renamed over REPLICA-STATE. */
export const REPLICA_STATE_TMP_FILE = `${REPLICA_STATE_FILE}.tmp`
/** In a read replica's local directory: the folder of restored cuts. */
export const REPLICA_CUTS_DIR = 'cuts'

/** The folder a read replica restores cut `id` (12 digits) into. */
export function replicaCutPath(local: string, id: string): string {
  return path.join(local, REPLICA_CUTS_DIR, id)
}

/** The cut id a folder name under REPLICA_CUTS_DIR names, or undefined for other names. */
export function parseReplicaCutName(name: string): string | undefined {
  return /^\d{12}$/.test(name) ? name : undefined
}
