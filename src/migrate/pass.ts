/**
 * One chunk of migrate-schema's single read pass over a shard. Each live
 * record after the journal's key is read once, and that one reading
 * - judges it, when the migration covers it: converted and validated
 *   (select.ts), already at the target (then validated as it is), or failing;
 * - adds the hash of its upgraded view (the record the run writes for it, or
 *   the record itself) to the shard's sum of the digest before the run: the
 *   digest of the whole store as read through the lazy upgrade, so records
 *   the migration does not cover are hashed too;
 * - and writes that view, converted or as it is, into the chunk's table.
 * The pass reads in key order, so the records arrive sorted: they stream
 * into new tables at the shard's bottom level (store/table-build.ts), with
 * sequence numbers above every one the shard held, in the shard's folder of
 * built tables (staging.ts). Once the shard's last chunk is built, its
 * tables replace the whole shard (run.ts): the migration rewrites each shard
 * once, as a compaction would, and leaves no older versions behind, nothing
 * in a WAL or memtable to flush, and no level-0 tables to compact.
 *
 * A chunk's tables are synced when this returns; the journal is updated in
 * memory only, and its caller writes it, which makes the chunk durable.
 */
import {ErrorCode, StrataError} from '../errors.js'
import type {Store} from '../api.js'
import type {Entry} from '../record/format.js'
import type {FileSystem} from '../vfs/fs.js'
import type {ShardContext} from '../store/shard-types.js'
import {buildTables} from '../store/table-build.js'
import {RecordHasher} from '../digest/format.js'
import {Sum256} from '../digest/sum256.js'
import {keyText} from '../schema/stamp.js'
import {selectedRecords, type Converter, type KeySelection} from './select.js'
import type {MigrationFailure, MigrationJournal} from './journal.js'

const ALL: KeySelection = {}

/** What a chunk needs besides the journal: where its tables go, built with the shard's settings. */
export interface ChunkTarget {
  readonly fs: FileSystem
  /** The shard's context with `dir` set to its folder of built tables. */
  readonly staging: ShardContext
}

/**
 * Reads, judges and writes the next chunk (up to `chunkRecords` records) of
 * shard `i` (see the file comment), updating `journal` in memory. Returns
 * the covered records examined.
 */
export function runChunk(store: Store, i: number, journal: MigrationJournal, converter: Converter, keys: KeySelection, chunkRecords: number, hasher: RecordHasher, out: ChunkTarget): number {
  const shard = journal.shards[i]
  const sum = new Sum256()
  sum.addHex(shard.before)
  const target = converter.target.version
  const skipped: MigrationFailure[] = []
  let examined = 0
  let migrated = 0
  let invalid = 0
  let read = 0
  let seq = shard.seq
  let last: Buffer | undefined
  let exhausted = true
  const after = shard.after === null ? undefined : Buffer.from(shard.after, 'hex')
  const views = (function* (): Generator<Entry> {
    for (const e of selectedRecords(store, i, ALL, journal.at, after)) {
      if (read >= chunkRecords) {
        exhausted = false
        return
      }
      read++
      last = e.key
      if (!converter.covers(e, keys)) {
        sum.addLatin1(hasher.hash(e))
        yield {...e, seq: ++seq}
        continue
      }
      examined++
      const j = converter.judge(e)
      const view = converter.viewOf(e, j)
      sum.addLatin1(hasher.hash(view))
      if (j.kind === 'current') {
        if (e.schema!.version === target && !converter.validAtTarget(e)) invalid++
      } else if (j.kind === 'fail') {
        if (journal.onError === 'stop') {
          throw new StrataError(ErrorCode.CONVERSION_FAILED, `key ${keyText(e.key)} (version ${e.schema!.version}) does not convert to ${converter.target.name}@${target}: ${j.reason}`,
            {hint: 'nothing of its shard was changed; fix the record, or run again with --on-error skip to leave such records at their version'})
        }
        skipped.push({key: e.key.toString('hex'), version: e.schema!.version, reason: j.reason})
      } else {
        migrated++
      }
      yield {...view, seq: ++seq}
    }
  })()
  let next = shard.tables.reduce((m, n) => Math.max(m, n), 0) + 1
  // A stopping failure is thrown from inside the build, which then removes what it wrote.
  const built = buildTables(out.staging, () => next++, views, shard.level, 'migrate-schema')
  for (const t of built) t.reader.close()
  if (built.length > 0) out.fs.syncDir(out.staging.dir)
  journal.examined += examined
  shard.migrated += migrated
  shard.invalid += invalid
  shard.failures.push(...skipped)
  shard.tables.push(...built.map((t) => t.meta.fileNumber))
  shard.seq = seq
  shard.before = sum.hex()
  if (last !== undefined) shard.after = last.toString('hex')
  if (exhausted) shard.done = true
  return examined
}
