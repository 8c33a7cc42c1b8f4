/**
 * The library side of dump: records decoded straight from a data
 * directory's files by the Kaitai-generated parsers, independently of the
 * engine's readers (re-exported by src/index.ts).
 */
import {ErrorCode, StrataError} from '../errors.js'
import type {FileSystem} from '../vfs/fs.js'
import {nodeFileSystem} from '../vfs/node-fs.js'
import {Problems} from './checks.js'
import {latestRecords} from './latest.js'
import type {DumpRecord} from './records.js'
import {resolveSource, sourceShards} from './source.js'
import type {StoreCut} from '../cut/cut.js'
import {cutShardSnapshots} from '../cut/cut-files.js'
import {isStoreCut} from '../cut/cut-view.js'

export type {DumpRecord} from './records.js'

/** Options for `decodedLiveRecords`. */
export interface DecodedRecordsOptions {
  /** Clock for expiry, ms since the epoch. Default Date.now(). */
  readonly now?: number
  readonly fs?: FileSystem
}

/**
 * The newest live version of every key in the data directory `dir`, in
 * bytewise key order, decoded from its files by the Kaitai parsers - what a
 * scan returns, obtained without the engine. Read-only and safe while a
 * writer is active (each shard is read as one snapshot). Damage throws
 * CORRUPTION naming the file and byte offset. Given a held cut instead of a
 * directory, the records of the store at the cut (src/cut/cut-files.ts).
 */
export function* decodedLiveRecords(dir: string | StoreCut, options: DecodedRecordsOptions = {}): Generator<DumpRecord> {
  const fs = options.fs ?? nodeFileSystem
  const latest = {now: options.now ?? Date.now(), problems: new Problems(false)}
  if (isStoreCut(dir)) {
    yield* latestRecords(cutShardSnapshots(dir, fs), latest)
    return
  }
  const source = resolveSource(dir, fs)
  if (source.type !== 'store') throw new StrataError(ErrorCode.NOT_A_STORE, `${dir} is not a strata data directory (no STORE)`, {file: dir})
  yield* latestRecords(sourceShards(source, fs), latest)
}
