/**
 * The journal of a shard-rebalance: DIR/REBALANCE, the plan and the progress
 * of a rebalance from STORE's generation to the next. Written atomically
 * (REBALANCE.tmp synced, renamed, directory synced) so that it is always
 * either the previous version or the new one, never a mix.
 *
 *   {"version":1,"from":N,"to":M,"fromGeneration":g,"toGeneration":g+1,"at":ms,"complete":[j, …]}\n
 *   crc32 of the first line's bytes (newline included), 8 lowercase hex digits, \n
 *
 * `at` is the instant expiry is judged at for the whole run, resumed or not,
 * so that every attempt moves the same records. `complete` lists the target
 * shards whose folders are built and durable; resume rebuilds the others.
 *
 * What the journal means depends on STORE: while STORE's generation is
 * `fromGeneration` the rebalance is not committed (the old generation is
 * the store, the new one a work in progress); once it is `toGeneration`
 * (STORE was replaced: the commit point), only the cleanup of the old
 * generation remains. Other writers refuse to start while it is uncommitted.
 */
import {ErrorCode, StrataError, corruption, ioError, isNotFound} from '../errors.js'
import type {FileSystem} from '../vfs/fs.js'
import {writeSynced} from '../vfs/durable.js'
import {crc32} from '../util/crc.js'
import {REBALANCE_FILE, REBALANCE_TMP_FILE, joinPath} from '../layout/names.js'
import type {StoreDescriptor} from '../store/descriptor.js'

/** Journal versions. Written to disk; never change. */
export const JOURNAL_VERSION = 1

/** A rebalance's plan and progress. */
export interface Journal {
  readonly from: number
  readonly to: number
  readonly fromGeneration: number
  readonly toGeneration: number
  /** The instant expiry is judged at, ms since the epoch. */
  readonly at: number
  /** Target shards built and durable, ascending. */
  readonly complete: readonly number[]
}

export function encodeJournal(j: Journal): Buffer {
  const line = `${JSON.stringify({version: JOURNAL_VERSION, from: j.from, to: j.to, fromGeneration: j.fromGeneration, toGeneration: j.toGeneration, at: j.at, complete: j.complete})}\n`
  const body = Buffer.from(line, 'utf8')
  return Buffer.concat([body, Buffer.from(`${crc32(body).toString(16).padStart(8, '0')}\n`, 'latin1')])
}

export function decodeJournal(buf: Buffer, path: string): Journal {
  const nl = buf.indexOf(0x0a)
  if (nl < 0 || buf.length !== nl + 10 || buf[buf.length - 1] !== 0x0a) throw corruption(path, 0, 'the rebalance journal is not a JSON line and a checksum line')
  const body = buf.subarray(0, nl + 1)
  const stored = buf.subarray(nl + 1, nl + 9).toString('latin1')
  if (stored !== crc32(body).toString(16).padStart(8, '0')) throw corruption(path, nl + 1, 'rebalance journal checksum mismatch')
  let j: Record<string, unknown>
  try {
    j = JSON.parse(body.toString('utf8')) as Record<string, unknown>
  } catch {
    throw corruption(path, 0, 'the rebalance journal is not JSON')
  }
  if (j.version !== JOURNAL_VERSION) {
    throw new StrataError(ErrorCode.UNSUPPORTED, `${path}: rebalance journal version ${String(j.version)} is not supported`, {file: path})
  }
  const int = (k: string): number => {
    const v = j[k]
    if (!Number.isSafeInteger(v) || (v as number) < 0) throw corruption(path, 0, `the rebalance journal's ${k} is not a non-negative integer`)
    return v as number
  }
  const complete = j.complete
  if (!Array.isArray(complete) || !complete.every((c) => Number.isSafeInteger(c) && c >= 0)) throw corruption(path, 0, 'the rebalance journal\'s complete list is not a list of shard numbers')
  return {from: int('from'), to: int('to'), fromGeneration: int('fromGeneration'), toGeneration: int('toGeneration'), at: int('at'), complete: complete as number[]}
}

/** The journal of `dir`, or undefined when no rebalance is under way. */
export function readJournal(fs: FileSystem, dir: string): Journal | undefined {
  const path = joinPath(dir, REBALANCE_FILE)
  let buf: Buffer
  try {
    buf = fs.readFile(path)
  } catch (err) {
    if (isNotFound(err)) return undefined
    throw ioError('read', path, err)
  }
  return decodeJournal(buf, path)
}

/** Replaces the journal of `dir` atomically. */
export function writeJournal(fs: FileSystem, dir: string, j: Journal): void {
  const tmp = joinPath(dir, REBALANCE_TMP_FILE)
  try {
    if (fs.exists(tmp)) fs.unlink(tmp)
    writeSynced(fs, tmp, encodeJournal(j))
    fs.rename(tmp, joinPath(dir, REBALANCE_FILE))
    fs.syncDir(dir)
  } catch (err) {
    throw err instanceof StrataError ? err : ioError('write', joinPath(dir, REBALANCE_FILE), err)
  }
}

/** Deletes the journal (and a leftover temporary one) of `dir`, durably. */
export function removeJournal(fs: FileSystem, dir: string): void {
  for (const name of [REBALANCE_TMP_FILE, REBALANCE_FILE]) {
    try {
      fs.unlink(joinPath(dir, name))
    } catch (err) {
      if (!isNotFound(err)) throw ioError('delete', joinPath(dir, name), err)
    }
  }
  fs.syncDir(dir)
}

/** Whether STORE (`desc`) already names the journal's new generation: the rebalance is committed. */
export function isCommitted(j: Journal, desc: StoreDescriptor): boolean {
  return desc.shardGeneration === j.toGeneration
}

/** The BUSY error of a write refused because of the unfinished rebalance `j`. */
export function unfinishedRebalance(dir: string, j: Journal): StrataError {
  return new StrataError(ErrorCode.BUSY, `store ${dir} has an unfinished shard-rebalance (${j.from} to ${j.to} shards): writes wait until it is finished or thrown away`, {
    file: dir,
    hint: `finish it with: strata shard-rebalance --dir ${dir} --resume, or throw it away with: strata shard-rebalance --dir ${dir} --abort`,
  })
}
