/**
 * One chunk of migrate-schema's single read pass over a shard. Each live
 * record after the journal's key is read once, and that one reading
 * - judges it, when the migration covers it: converted and validated
 *   (select.ts), already at the target (then validated as it is), or failing;
 * - adds the hash of its upgraded view (the record the run writes for it, or
 *   the record itself) to the shard's sum of the digest before the run: the
 *   digest of the whole store as read through the lazy upgrade, so records
 *   the migration does not cover are hashed too;
 * - and, converted, joins the chunk's batch.
 * The batch is written as one stamped batch, synced (the store is opened with
 * sync 'always'): the chunk's commit point. The journal is updated in memory
 * only; its caller writes it once the batch is durable.
 */
import {ErrorCode, StrataError} from '../errors.js'
import type {BatchOp, Store} from '../api.js'
import type {SchemaRef} from '../record/format.js'
import type {StoreImpl} from '../store/store.js'
import {RecordHasher} from '../digest/format.js'
import {Sum256} from '../digest/sum256.js'
import {keyText} from '../schema/stamp.js'
import {selectedRecords, type Converter, type KeySelection} from './select.js'
import type {MigrationJournal} from './journal.js'

/** A chunk also ends past this many value bytes, so one batch stays far below the WAL record limit. */
const CHUNK_BYTES = 8 * 1024 * 1024
/** Nor does a chunk read more than this many records per record it may write, so the journal moves on through long runs of records it leaves alone. */
const READ_FACTOR = 16

const ALL: KeySelection = {}

/**
 * Reads, judges and writes the next chunk of shard `i` (see the file
 * comment), updating `journal` in memory. Returns the covered records examined.
 */
export async function runChunk(store: Store, i: number, journal: MigrationJournal, converter: Converter, keys: KeySelection, chunkRecords: number, hasher: RecordHasher): Promise<number> {
  const shard = journal.shards[i]
  const sum = new Sum256()
  sum.addHex(shard.before)
  const ops: BatchOp[] = []
  const refs = new Map<number, SchemaRef>()
  const ref = {id: converter.target.id, version: converter.target.version}
  const skipped: MigrationJournal['failures'] = []
  let examined = 0
  let invalid = 0
  let read = 0
  let last: Buffer | undefined
  let exhausted = true
  let bytes = 0
  for (const e of selectedRecords(store, i, ALL, journal.at, shard.after === null ? undefined : Buffer.from(shard.after, 'hex'))) {
    if (ops.length >= chunkRecords || bytes >= CHUNK_BYTES || read >= chunkRecords * READ_FACTOR) {
      exhausted = false
      break
    }
    read++
    last = e.key
    if (!converter.covers(e, keys)) {
      sum.addLatin1(hasher.hash(e))
      continue
    }
    examined++
    const j = converter.judge(e)
    sum.addLatin1(hasher.hash(converter.viewOf(e, j)))
    if (j.kind === 'current') {
      if (e.schema!.version === ref.version && !converter.validAtTarget(e)) invalid++
      continue
    }
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
  if (ops.length > 0) await (store as StoreImpl).batchStamped(ops, refs)
  journal.examined += examined
  journal.migrated += ops.length
  journal.invalid += invalid
  journal.failures.push(...skipped)
  shard.before = sum.hex()
  if (last !== undefined) shard.after = last.toString('hex')
  if (exhausted) shard.done = true
  return examined
}
