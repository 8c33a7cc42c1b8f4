/**
 * The journal of an unfinished migrate-schema run: DIR/schemas/MIGRATION,
 * checked JSON (schema/checked-json.ts), replaced atomically (MIGRATION.tmp,
 * sync, rename, folder sync) after each durable chunk, removed when the run
 * ends. It holds what the run was asked (schema, target, range, on-error),
 * and per shard the last key read (the next chunk starts after it) or done,
 * with the sum of the digest of the upgraded view over the keys up to it
 * (pass.ts): the digest before the run is the sum of those once all shards
 * are done. Per shard too: its highest sequence number when its pass began,
 * the tables built so far (staging.ts) with the highest sequence number and
 * the level they use, and whether they have replaced the shard.
 *
 * Contract: the journal never claims more than is durable. A chunk's table
 * is written and synced before the journal lists it, so a crash between the
 * two leaves a table the resumed run removes, and it reads those keys again.
 *
 * Format 3 (this one) adds the per-shard tables; formats 1 and 2, left by
 * earlier releases, are still read (fromEarlierFormat).
 */
import {ErrorCode, StrataError, corruption, ioError} from '../errors.js'
import type {FileSystem} from '../vfs/fs.js'
import {joinPath, MIGRATION_FILE, SCHEMAS_DIR, schemasTmpName} from '../layout/names.js'
import {syncParent, writeSynced} from '../vfs/durable.js'
import {decodeCheckedJson, encodeCheckedJson} from '../schema/checked-json.js'

/** The `format` of a journal: 1 and 2 were written by earlier releases. */
const JOURNAL_FORMAT = 3

/** A shard's digest sum before its first chunk. */
export const ZERO_SUM = '0'.repeat(64)

/** A record left at its old version (--on-error skip), and why. */
export interface MigrationFailure {
  /** Key, hex. */
  readonly key: string
  readonly version: number
  readonly reason: string
}

/** A shard's progress. */
export interface ShardProgress {
  /** Every record of the shard was read, and its tables built. */
  done: boolean
  /** The last key read (hex), null before the first chunk. */
  after: string | null
  /** The digest sum (64 hex digits) of the upgraded view of the keys up to `after`. */
  before: string
  /** The shard's highest sequence number when its pass began (null: not begun); its tables number records above it. */
  base: number | null
  /** The highest sequence number the built tables use. */
  seq: number
  /** The level of the built tables. */
  level: number
  /** The built tables' numbers (staging.ts), in key order. */
  tables: number[]
  /** The built tables replaced the shard: its pass is over. */
  installed: boolean
  /** Records the shard's pass converted. */
  migrated: number
  /** Records the shard's pass found at the target that do not validate against it. */
  invalid: number
  /** Records the shard's pass left at their old version (--on-error skip). */
  failures: MigrationFailure[]
}

/** A shard's progress before its pass begins. */
export function freshShard(): ShardProgress {
  return {done: false, after: null, before: ZERO_SUM, base: null, seq: 0, level: 1, tables: [], installed: false, migrated: 0, invalid: 0, failures: []}
}

/** The journal's contents. Keys are hex. */
export interface MigrationJournal {
  readonly schema: string
  readonly toVersion: number
  readonly from?: string
  readonly to?: string
  readonly prefix?: string
  /** The --on-error of the latest run (each run of the same migration may set its own). */
  readonly onError: 'stop' | 'skip'
  /** Expiry instant of both digests, ms since the epoch. */
  readonly at: number
  readonly shards: ShardProgress[]
  /** Covered records examined by every run of this migration. */
  examined: number
}

/** The journal's counts over all shards. */
export function journalTotals(j: MigrationJournal): {migrated: number; invalid: number; failures: MigrationFailure[]} {
  return {
    migrated: j.shards.reduce((n, s) => n + s.migrated, 0),
    invalid: j.shards.reduce((n, s) => n + s.invalid, 0),
    failures: j.shards.flatMap((s) => s.failures),
  }
}

function path(dir: string): string {
  return joinPath(dir, SCHEMAS_DIR, MIGRATION_FILE)
}

/** The journal of the store in `dir`, or undefined if no run is unfinished. */
export function readJournal(fs: FileSystem, dir: string): MigrationJournal | undefined {
  const p = path(dir)
  let bytes: Buffer
  try {
    if (!fs.exists(p)) return undefined
    bytes = fs.readFile(p)
  } catch (err) {
    throw ioError('read', p, err)
  }
  const d = decodeCheckedJson(bytes)
  if ('problem' in d) throw corruption(p, 0, d.problem)
  const o = d.object as unknown as MigrationJournal & {format: unknown}
  if ((o.format === 1 || o.format === 2) && typeof o.schema === 'string' && Array.isArray(o.shards)) return fromEarlierFormat(o)
  if (o.format !== JOURNAL_FORMAT || typeof o.schema !== 'string' || !Array.isArray(o.shards)) {
    throw new StrataError(ErrorCode.CORRUPTION, `${p}: not a migration journal of format ${JOURNAL_FORMAT}`, {file: p})
  }
  return o
}

/**
 * A journal of format 1 or 2 (written by earlier releases, which wrote each
 * chunk through the WAL) cannot be carried over: format 1 kept no digest
 * sums, and the records a format 2 run wrote are in no built table, while
 * the tables of this format replace a whole shard. The run starts its pass
 * again from the first key with the same request. That is sound because
 * records already migrated are at the target version, where their upgraded
 * view is the record itself, so they hash as they did before the run;
 * failures and counts are found again by the new pass.
 */
function fromEarlierFormat(o: MigrationJournal): MigrationJournal {
  return {
    schema: o.schema, toVersion: o.toVersion, from: o.from, to: o.to, prefix: o.prefix, onError: o.onError, at: o.at,
    shards: o.shards.map(() => freshShard()),
    examined: 0,
  }
}

/** Replaces the journal atomically with `j`. */
export function writeJournal(fs: FileSystem, dir: string, j: MigrationJournal): void {
  const folder = joinPath(dir, SCHEMAS_DIR)
  const p = path(dir)
  const tmp = joinPath(folder, schemasTmpName(MIGRATION_FILE))
  try {
    if (fs.exists(tmp)) fs.unlink(tmp)
    writeSynced(fs, tmp, encodeCheckedJson({format: JOURNAL_FORMAT, ...j}))
    fs.rename(tmp, p)
    syncParent(fs, folder)
  } catch (err) {
    throw ioError('write', p, err)
  }
}

/** Removes the journal (the run is over). */
export function removeJournal(fs: FileSystem, dir: string): void {
  const p = path(dir)
  try {
    if (fs.exists(p)) fs.unlink(p)
    syncParent(fs, joinPath(dir, SCHEMAS_DIR))
  } catch (err) {
    throw ioError('remove', p, err)
  }
}
