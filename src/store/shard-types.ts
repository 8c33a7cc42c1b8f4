/**
 * The types a shard shares with its store and its concern files: what it is
 * given (ShardContext), what it is asked to write, and what it reports.
 */
import type {FileSystem} from '../vfs/fs.js'
import type {Entry} from '../record/format.js'
import type {Manifest} from '../manifest/format.js'
import type {BlockCompression} from '../sstable/format.js'
import type {BlockCache} from '../sstable/block-cache.js'
import type {OpenFiles} from '../vfs/open-files.js'
import type {CompactionPolicy} from './compaction.js'
import type {EstimateBasis} from './compaction-estimate.js'

/** What a shard needs from its store. */
export interface ShardContext {
  readonly fs: FileSystem
  /** The shard's directory. */
  readonly dir: string
  readonly index: number
  readonly compression: BlockCompression
  readonly blockSize: number
  readonly createdBy: string
  readonly now: () => number
  /** Decoded data blocks shared by the store's tables. */
  readonly cache?: BlockCache
  /** The store's budget of open descriptors (tables and WALs). */
  readonly files?: OpenFiles
  readonly policy: CompactionPolicy
}

/** One user-level write, before it gets a sequence number. */
export interface ShardWrite {
  readonly kind: Entry['kind']
  readonly key: Buffer
  readonly value: Buffer
  readonly expiresAt?: number
  readonly json?: boolean
  readonly schema?: Entry['schema']
}

/** One stored version of a key, and where it lives. */
export interface KeyVersion {
  /** 'wal' (replayed into the memtable) or 'sstable'. */
  readonly source: 'wal' | 'sstable'
  readonly file: string
  /** WAL: offset of the record holding it; SSTable: offset of its data block. */
  readonly offset: number
  /** SSTable level; undefined for the WAL. */
  readonly level?: number
  readonly entry: Entry
}

/** What compacting one shard did or would do. */
export interface ShardCompaction {
  /** Tables read (a range's dry run counts the memtable as the table it would be flushed into). */
  readonly inputTables: number
  readonly inputBytes: number
  /** Entries of the memtable merged in (a range compaction flushes them first). */
  readonly memtableEntries: number
  readonly outputTables: number
  /** With a dry run, an estimate. */
  readonly outputBytes: number
  /** With a dry run, what the estimate stands on (compaction-estimate.ts). */
  readonly outputBytesBasis?: EstimateBasis
  /** Entries read, the memtable's included. */
  readonly entriesIn: number
  readonly entriesOut: number
}

export const NO_COMPACTION: ShardCompaction = {inputTables: 0, inputBytes: 0, memtableEntries: 0, outputTables: 0, outputBytes: 0, entriesIn: 0, entriesOut: 0}

/**
 * A fixed state to open a view at instead of CURRENT and the whole WAL: a
 * cut's manifest and WAL length (src/cut/cut-view.ts). The WAL may have grown
 * past `walLength` since (a pin is a second name for the writer's file).
 */
export interface ViewAt {
  readonly manifestNumber: number
  readonly manifest: Manifest
  readonly walLength: number
}
