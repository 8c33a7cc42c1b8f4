/**
 * The journal of an unfinished migrate-schema run: DIR/schemas/MIGRATION,
 * checked JSON (schema/checked-json.ts), replaced atomically (MIGRATION.tmp,
 * sync, rename, folder sync) after each durable chunk, removed when the run
 * ends. It holds what the run was asked (schema, target, range, on-error),
 * and per shard the last key read (the next chunk starts after it) or done,
 * with the sum of the digest of the upgraded view over the keys up to it
 * (pass.ts): the digest before the run is the sum of those once all shards
 * are done.
 *
 * Contract: the journal never claims more than is durable. A chunk's records
 * are written and synced before the journal moves past them, so a crash
 * between the two makes a resumed run read them again; they are at the
 * target version by then, are left alone, and hash as they did when the
 * lost chunk read them (a record's upgraded view is the record written).
 */
import {ErrorCode, StrataError, corruption, ioError} from '../errors.js'
import type {FileSystem} from '../vfs/fs.js'
import {joinPath, MIGRATION_FILE, SCHEMAS_DIR, schemasTmpName} from '../layout/names.js'
import {syncParent, writeSynced} from '../vfs/durable.js'
import {decodeCheckedJson, encodeCheckedJson} from '../schema/checked-json.js'

/** The `format` of a journal. */
const JOURNAL_FORMAT = 2

/** A shard's digest sum before its first chunk. */
export const ZERO_SUM = '0'.repeat(64)

/** A record left at its old version (--on-error skip), and why. */
export interface MigrationFailure {
  /** Key, hex. */
  readonly key: string
  readonly version: number
  readonly reason: string
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
  /** Per shard: the last key read (hex), null before the first chunk, or done; and the digest sum (64 hex digits) of the upgraded view of the keys up to it. */
  readonly shards: Array<{done: boolean; after: string | null; before: string}>
  examined: number
  migrated: number
  /** Records found at the target that do not validate against it. */
  invalid: number
  failures: MigrationFailure[]
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
  if (o.format === 1 && typeof o.schema === 'string' && Array.isArray(o.shards)) return fromFormat1(o)
  if (o.format !== JOURNAL_FORMAT || typeof o.schema !== 'string' || !Array.isArray(o.shards) || !Array.isArray(o.failures)) {
    throw new StrataError(ErrorCode.CORRUPTION, `${p}: not a migration journal of format ${JOURNAL_FORMAT}`, {file: p})
  }
  return o
}

/**
 * A journal of format 1 (written by an earlier release) kept no digest sums,
 * so its progress cannot be carried over: the run starts its pass again from
 * the first key with the same request. That is sound because records it
 * already migrated are at the target version, where their upgraded view is
 * the record itself, so they hash as they did before the run; failures and
 * counts are found again by the new pass.
 */
function fromFormat1(o: MigrationJournal): MigrationJournal {
  return {
    schema: o.schema, toVersion: o.toVersion, from: o.from, to: o.to, prefix: o.prefix, onError: o.onError, at: o.at,
    shards: o.shards.map(() => ({done: false, after: null, before: ZERO_SUM})),
    examined: 0, migrated: 0, invalid: 0, failures: [],
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
