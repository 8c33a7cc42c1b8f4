/**
 * migrate-schema: rewrites every record of one schema stored below a target
 * version to that version, offline, under the writer lock, in key-range
 * chunks, resumably, and proves the result.
 *
 * 1. One read pass, shard by shard, in key order, in chunks (pass.ts): each
 *    record is read once; a covered record below the target is converted and
 *    validated, one at the target is validated; every record's upgraded view
 *    is hashed into the shard's sum of the digest before the run and written
 *    into the chunk's new tables (converted, or as it is); a record that
 *    fails stops the run before anything of its shard changes (on-error
 *    stop) or is listed and left at its version (skip). The chunk's tables
 *    are synced outside the shard (staging.ts), and only then does the
 *    journal (journal.ts) list them and move past the chunk's last key, with
 *    the shard's digest sum so far.
 * 2. Once a shard's last chunk is built, its tables replace the whole shard
 *    in one manifest switch (Shard.replaceAll): the shard's commit point.
 *    Readers see the shard as it was, or as migrated, never a mix. A shard
 *    whose pass converted nothing is left as it is (its tables hold the very
 *    records it holds).
 * 3. Proof (proof.ts): the store is read again after the last shard, and the
 *    digest of what is stored must equal the digest before (the sum of the
 *    shards' sums); every covered record must be at the target (but the
 *    skipped), and none read at the target may have failed validation. Then
 *    the journal and the built tables are removed.
 * The shards' passes and the proof's reading run on two threads where they
 * can (peer.ts): each thread takes the next shard not yet taken; only this
 * one writes the journal and switches shards (shard-steps.ts).
 * A kill at any moment leaves the store valid (a shard is switched whole or
 * not at all) and the journal behind what is durable: running again removes
 * built tables the journal does not list and continues after the last
 * journaled chunk. A shard whose highest sequence number is no longer the
 * one its pass began at (a write between the kill and the resume, or its
 * switch happened just before the kill) starts its pass again: its records
 * are read as they are now, those already at the target are left alone, so
 * none is converted twice.
 *
 * The digest before is summed chunk by chunk, so it is the upgraded view of
 * the store at the start only while nothing else writes: true of a run (it
 * holds the writer lock), and of a resumed one when nothing wrote to the
 * store between the kill and the resume. A write in between to a shard
 * already switched shows as digests that differ; one to a shard not yet
 * switched is taken as part of the store being migrated.
 */
import {ErrorCode, StrataError, invalidArgument} from '../errors.js'
import {open} from '../store/open.js'
import {toBytes} from '../store/write-input.js'
import {nodeFileSystem} from '../vfs/node-fs.js'
import {RecordHasher} from '../digest/format.js'
import {Sum256} from '../digest/sum256.js'
import {readRegistry} from '../schema/registry.js'
import {SchemaView} from '../schema/upgrade.js'
import {Validator} from '../schema/validate.js'
import {Converter, type KeySelection} from './select.js'
import {freshShard, journalTotals, readJournal, removeJournal, writeJournal, type MigrationJournal} from './journal.js'
import {removeStaging} from './staging.js'
import type {StoreImpl} from '../store/store.js'
import {dryRun} from './dry-run.js'
import {combineProof, proveShard, skippedKeys, type ShardProof} from './proof.js'
import {ShardQueue, beginShard, shardChunk, switchShard, type PassContext} from './shard-steps.js'
import type {MigrateOptions, MigrateReport} from './report.js'
import type {MigratePeer} from './peer.js'

/** A chunk streams into its tables, so its size bounds the work a kill loses and the syncs per record, not memory. */
const DEFAULT_CHUNK_RECORDS = 100_000

/** Migrates the records of `options.schema` in the store in `dir`; see the file comment. */
export async function migrateSchema(dir: string, options: MigrateOptions): Promise<MigrateReport> {
  const fs = options.fs ?? nodeFileSystem
  const keys = selection(options)
  const chunkRecords = options.chunkRecords ?? DEFAULT_CHUNK_RECORDS
  if (!Number.isSafeInteger(chunkRecords) || chunkRecords < 1) throw invalidArgument(`chunkRecords must be a positive integer, got ${chunkRecords}`)
  const onError = options.onError ?? 'stop'
  if (onError !== 'stop' && onError !== 'skip') throw invalidArgument('onError must be "stop" or "skip"')
  const store = await open(dir, options.dryRun === true ? {readOnly: true, fs} : {fs, sync: 'always', lockTimeoutMs: options.lockTimeoutMs ?? 0})
  const queue = new ShardQueue(store.shardCount)
  // A second thread only on the node filesystem: a worker cannot share another FileSystem object (the fault-injecting one).
  // Started first, so that it loads while this thread prepares the run.
  const twoThreads = options.dryRun !== true && options.abort !== true && (options.threads ?? 2) > 1 && fs === nodeFileSystem && store.shardCount > 1
  let peer: MigratePeer | undefined
  try {
    if (twoThreads) peer = (await import('./peer.js')).MigratePeer.start(dir, options.schema, options.toVersion, chunkRecords, queue)
    // Read under the lock: no registration can change the registry meanwhile.
    const registry = readRegistry(dir, fs)
    const target = registry.resolve(options.schema, options.toVersion)
    const converter = new Converter(new SchemaView(dir, fs, registry), await Validator.load(), target)
    if (options.dryRun === true) return await dryRun(store, converter, keys, options, Date.now())
    let journal = readJournal(fs, dir)
    const empty = {examined: 0, migrated: 0, failed: 0, failures: [], shards: [], samples: [], digestAfter: null, belowVersion: 0, invalid: 0, verified: null}
    if (options.abort === true) {
      if (journal !== undefined) removeJournal(fs, dir)
      removeStaging(fs, dir)
      return {...empty, schema: target.name, toVersion: target.version, dryRun: false, resumed: false, aborted: journal !== undefined, digestBefore: null}
    }
    const resumed = journal !== undefined
    if (journal !== undefined && !sameRun(journal, target.name, target.version, keys)) {
      throw new StrataError(ErrorCode.INVALID_ARGUMENT, `an unfinished migration of ${journal.schema} to version ${journal.toVersion} is recorded in this store`,
        {hint: 'run it again with the same flags (or --resume) to finish it, or --abort to drop it'})
    }
    if (journal !== undefined) journal = {...journal, onError}
    if (journal === undefined) {
      journal = {
        schema: target.name, toVersion: target.version, ...hexKeys(keys), onError, at: Date.now(),
        shards: Array.from({length: store.shardCount}, () => freshShard()), examined: 0,
      }
      // A killed run of an earlier release, or an aborted one, may have left built tables.
      removeStaging(fs, dir)
      writeJournal(fs, dir, journal)
    }
    const c: PassContext = {store: store as StoreImpl, fs, dir, converter, keys, chunkRecords, hasher: new RecordHasher()}
    const {examined, proofs} = await runPasses(c, journal, options, queue, peer)
    const before = new Sum256()
    for (const sh of journal.shards) before.addHex(sh.before)
    const digestBefore = before.hex()
    const proof = combineProof(proofs, journal, digestBefore)
    removeJournal(fs, dir)
    removeStaging(fs, dir)
    const totals = journalTotals(journal)
    const failures = totals.failures.map((f) => ({key: Buffer.from(f.key, 'hex'), version: f.version, reason: f.reason}))
    return {
      schema: target.name, toVersion: target.version, dryRun: false, resumed, aborted: false, examined, migrated: totals.migrated,
      failed: failures.length, failures, shards: [], samples: [], digestBefore, ...proof,
    }
  } finally {
    await peer?.close()
    await store.close()
  }
}

/** The pass and the proof's reading: what the run examined, and every shard's proof. */
interface Passes {
  readonly examined: number
  readonly proofs: ShardProof[]
}

/**
 * Runs the pass of every shard not yet switched, chunk by chunk (the
 * journal written after each), switching each shard when its pass is done
 * (see the file comment), then reads every shard again for the proof;
 * shards are taken from `queue` one at a time. With `peer`, a second thread
 * (peer.ts) takes shards from the same queue: this thread records its
 * chunks in the journal between its own, and switches its shards as their
 * passes end. A failure on either thread stops the run (the caller stops
 * the other thread wherever it is).
 */
async function runPasses(c: PassContext, journal: MigrationJournal, options: MigrateOptions, queue: ShardQueue, peer?: MigratePeer): Promise<Passes> {
  // This thread's first shard is taken before the worker may take any.
  const first = queue.next(0)
  peer?.begin(journal)
  let examined = 0
  const news = {
    chunk: (i: number, n: number): void => {
      examined += n
      writeJournal(c.fs, c.dir, journal)
      progress(options, journal, i, examined)
    },
    done: (i: number): void => switchShard(c.store, c.fs, c.dir, journal, i),
  }
  for (let i = first; i >= 0; i = queue.next(0)) {
    if (!beginShard(c, journal, i)) continue
    while (!journal.shards[i].done) {
      news.chunk(i, shardChunk(c, journal, i))
      if (peer !== undefined) {
        // The worker's messages arrive only while this thread waits.
        await new Promise((resolve) => setImmediate(resolve))
        peer.takeArrived(journal, news)
      }
    }
    news.done(i)
  }
  await peer?.takeAll(journal, news)
  const skipped = skippedKeys(journal)
  const theirs = peer?.prove(skipped)
  const proofs: ShardProof[] = []
  for (let i = queue.next(1); i >= 0; i = queue.next(1)) proofs.push(proveShard(c.store, i, c.converter, c.keys, journal.at, skipped, c.hasher))
  if (theirs !== undefined) proofs.push(...(await theirs))
  return {examined, proofs}
}

function progress(options: MigrateOptions, journal: MigrationJournal, shard: number, examined: number): void {
  options.onProgress?.({shard, shardCount: journal.shards.length, examined, migrated: journalTotals(journal).migrated})
}

function selection(o: MigrateOptions): KeySelection {
  const from = o.from === undefined ? undefined : toBytes(o.from, 'from')
  const to = o.to === undefined ? undefined : toBytes(o.to, 'to')
  if (from !== undefined && to !== undefined && Buffer.compare(from, to) >= 0) throw invalidArgument('the range is empty or reversed: from must be below to')
  const prefix = o.prefix === undefined ? undefined : toBytes(o.prefix, 'prefix')
  return {...(from ? {from} : {}), ...(to ? {to} : {}), ...(prefix && prefix.length > 0 ? {prefix} : {})}
}

function hexKeys(k: KeySelection): {from?: string; to?: string; prefix?: string} {
  return {...(k.from ? {from: k.from.toString('hex')} : {}), ...(k.to ? {to: k.to.toString('hex')} : {}), ...(k.prefix ? {prefix: k.prefix.toString('hex')} : {})}
}

/** Whether the journal records a run of this schema, version and selection (--on-error may differ: it rules from now on). */
function sameRun(j: MigrationJournal, schema: string, toVersion: number, keys: KeySelection): boolean {
  const h = hexKeys(keys)
  return j.schema === schema && j.toVersion === toVersion && j.from === h.from && j.to === h.to && j.prefix === h.prefix
}
