/**
 * migrate-schema: rewrites every record of one schema stored below a target
 * version to that version, offline, under the writer lock, in key-range
 * chunks, resumably, and proves the result.
 *
 * 1. Plan: the digest of the store as read through the lazy upgrade to the
 *    target (select.ts) is taken and written to the journal (journal.ts)
 *    before anything changes.
 * 2. Chunks, shard by shard in key order: up to chunkRecords records below
 *    the target are converted and validated; a record that fails stops the
 *    run before its chunk is written (on-error stop) or is listed and left
 *    at its version (skip). The chunk is written as one batch with its
 *    expiries kept, synced (the commit point of the chunk), and only then
 *    does the journal move past its last key.
 * 3. Proof: the digest of the stored records must equal the digest of step
 *    1, and every covered record must be at the target (but the skipped)
 *    and validate against it. Then the journal is removed.
 * A kill at any moment leaves the store valid (each chunk is a batch of
 * whole puts) and the journal behind the durable records: running again
 * continues after the last journaled chunk; records already at the target
 * are left alone, so none is converted twice.
 */
import {ErrorCode, StrataError, invalidArgument} from '../errors.js'
import type {BatchOp, Store} from '../api.js'
import type {SchemaRef} from '../record/format.js'
import {open} from '../store/open.js'
import {StoreImpl} from '../store/store.js'
import {toBytes} from '../store/write-input.js'
import {nodeFileSystem} from '../vfs/node-fs.js'
import {digestStore} from '../digest/digest-store.js'
import {readRegistry} from '../schema/registry.js'
import {SchemaView} from '../schema/upgrade.js'
import {Validator} from '../schema/validate.js'
import {keyText} from '../schema/stamp.js'
import {Converter, selectedRecords, type KeySelection} from './select.js'
import {readJournal, removeJournal, writeJournal, type MigrationJournal} from './journal.js'
import {dryRun} from './dry-run.js'
import {prove} from './proof.js'
import type {MigrateOptions, MigrateReport} from './report.js'

const DEFAULT_CHUNK_RECORDS = 10_000
/** A chunk also ends past this many value bytes, so one batch stays far below the WAL record limit. */
const CHUNK_BYTES = 8 * 1024 * 1024

/** Migrates the records of `options.schema` in the store in `dir`; see the file comment. */
export async function migrateSchema(dir: string, options: MigrateOptions): Promise<MigrateReport> {
  const fs = options.fs ?? nodeFileSystem
  const keys = selection(options)
  const chunkRecords = options.chunkRecords ?? DEFAULT_CHUNK_RECORDS
  if (!Number.isSafeInteger(chunkRecords) || chunkRecords < 1) throw invalidArgument(`chunkRecords must be a positive integer, got ${chunkRecords}`)
  const onError = options.onError ?? 'stop'
  if (onError !== 'stop' && onError !== 'skip') throw invalidArgument('onError must be "stop" or "skip"')
  const store = await open(dir, options.dryRun === true ? {readOnly: true, fs} : {fs, sync: 'always', lockTimeoutMs: options.lockTimeoutMs ?? 0})
  try {
    // Read under the lock: no registration can change the registry meanwhile.
    const registry = readRegistry(dir, fs)
    const target = registry.resolve(options.schema, options.toVersion)
    const converter = new Converter(new SchemaView(dir, fs, registry), await Validator.load(), target)
    if (options.dryRun === true) return await dryRun(store, converter, keys, options, Date.now())
    let journal = readJournal(fs, dir)
    const empty = {examined: 0, migrated: 0, failed: 0, failures: [], shards: [], samples: [], digestAfter: null, belowVersion: 0, invalid: 0, verified: null}
    if (options.abort === true) {
      if (journal !== undefined) removeJournal(fs, dir)
      return {...empty, schema: target.name, toVersion: target.version, dryRun: false, resumed: false, aborted: journal !== undefined, digestBefore: journal?.digestBefore ?? null}
    }
    const resumed = journal !== undefined
    if (journal !== undefined && !sameRun(journal, target.name, target.version, keys)) {
      throw new StrataError(ErrorCode.INVALID_ARGUMENT, `an unfinished migration of ${journal.schema} to version ${journal.toVersion} is recorded in this store`,
        {hint: 'run it again with the same flags (or --resume) to finish it, or --abort to drop it'})
    }
    if (journal !== undefined) journal = {...journal, onError}
    if (journal === undefined) {
      const at = Date.now()
      converter.remember()
      const before = await digestStore(store, {at, view: (e) => converter.upgraded(e, keys)})
      journal = {
        schema: target.name, toVersion: target.version, ...hexKeys(keys), onError, at, digestBefore: before.digest,
        shards: Array.from({length: store.shardCount}, () => ({done: false, after: null})), examined: 0, migrated: 0, failures: [],
      }
      writeJournal(fs, dir, journal)
    }
    let examined = 0
    for (let i = 0; i < store.shardCount; i++) {
      while (!journal.shards[i].done) {
        examined += await runChunk(store, i, journal, converter, keys, chunkRecords)
        writeJournal(fs, dir, journal)
        options.onProgress?.({shard: i, shardCount: store.shardCount, examined, migrated: journal.migrated})
      }
    }
    const proof = await prove(store, converter, keys, journal)
    removeJournal(fs, dir)
    const failures = journal.failures.map((f) => ({key: Buffer.from(f.key, 'hex'), version: f.version, reason: f.reason}))
    return {
      schema: target.name, toVersion: target.version, dryRun: false, resumed, aborted: false, examined, migrated: journal.migrated,
      failed: failures.length, failures, shards: [], samples: [], digestBefore: journal.digestBefore, ...proof,
    }
  } finally {
    await store.close()
  }
}

/**
 * Converts and writes the next chunk of shard `i` after the journal's key,
 * updating the journal in memory (its caller writes it once the chunk is
 * durable). Returns the records examined.
 */
async function runChunk(store: Store, i: number, journal: MigrationJournal, converter: Converter, keys: KeySelection, chunkRecords: number): Promise<number> {
  const shard = journal.shards[i]
  const ops: BatchOp[] = []
  const refs = new Map<number, SchemaRef>()
  const ref = {id: converter.target.id, version: converter.target.version}
  const skipped: MigrationJournal['failures'] = []
  let examined = 0
  let last: Buffer | undefined
  let exhausted = true
  let bytes = 0
  for (const e of selectedRecords(store, i, keys, journal.at, shard.after === null ? undefined : Buffer.from(shard.after, 'hex'))) {
    if (ops.length >= chunkRecords || bytes >= CHUNK_BYTES) {
      exhausted = false
      break
    }
    last = e.key
    if (!converter.covers(e, keys)) continue
    examined++
    const j = converter.judge(e)
    if (j.kind === 'current') continue
    if (j.kind === 'fail') {
      if (journal.onError === 'stop') {
        throw new StrataError(ErrorCode.CONVERSION_FAILED, `key ${keyText(e.key)} (version ${e.schema!.version}) does not convert to ${converter.target.name}@${converter.target.version}: ${j.reason}`,
          {hint: 'nothing of its chunk was written; fix the record, or run again with --on-error skip to leave such records at their version'})
      }
      skipped.push({key: e.key.toString('hex'), version: e.schema!.version, reason: j.reason})
      continue
    }
    bytes += e.key.length + j.value.length
    refs.set(ops.length, ref)
    ops.push({type: 'put', key: e.key, value: j.value, json: true, ...(e.expiresAt === undefined ? {} : {expiresAt: e.expiresAt})})
  }
  // The chunk's commit point: one batch per shard part, synced (the store is opened with sync 'always').
  if (ops.length > 0) await (store as StoreImpl).batchStamped(ops, refs)
  journal.examined += examined
  journal.migrated += ops.length
  journal.failures.push(...skipped)
  if (last !== undefined) shard.after = last.toString('hex')
  if (exhausted) shard.done = true
  return examined
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
