/**
 * Public types of the engine API (re-exported by src/index.ts).
 */
import type {StoreCut} from './cut/cut.js'
import type {FileSystem} from './vfs/fs.js'
import type {CompressionName} from './sstable/format.js'
import type {SchemaRef} from './record/format.js'

/**
 * When writes reach stable storage.
 * - 'always': fdatasync the WAL before each write or batch resolves.
 * - 'batch': group commit: writes issued while one group's fdatasyncs run
 *   (off the event loop, the shards' WALs in parallel) share the next group's,
 *   and each resolves only after a sync begun after it (same guarantee as
 *   'always', fewer syncs).
 * - 'none': never sync on write (close() and flush() still sync).
 * - {everyOps: N}: sync after every N writes; {everyMs: N}: at most N ms after a write.
 *   With the periodic modes a crash can lose writes made since the last sync.
 */
export type SyncMode = 'always' | 'batch' | 'none' | {readonly everyOps: number} | {readonly everyMs: number}

/** Options for `open`. */
export interface OpenOptions {
  /** Open without the writer lock; the store is never modified. Default false. */
  readonly readOnly?: boolean
  /** Durability of writes. Default 'always'. */
  readonly sync?: SyncMode
  /** How long a writer waits for the lock before failing with BUSY. Default 0 (fail at once). */
  readonly lockTimeoutMs?: number
  /** The memtable is flushed to an SSTable once the shard's WAL passes this size. Default 4 MiB. */
  readonly walFlushBytes?: number
  /** Level-0 table count that triggers a compaction into level 1. Default 4. */
  readonly compactionTrigger?: number
  /** Size budget of level 1 (each deeper level holds 10× more). Default 16 MiB. */
  readonly levelBaseBytes?: number
  /** Byte budget of the decoded block cache shared by all tables. Default 8 MiB; 0 disables it. */
  readonly cacheSizeBytes?: number
  /**
   * Most file descriptors the store keeps open at once (tables and WALs,
   * LevelDB's max_open_files): past it the least recently used are closed and
   * reopened on next use. Default 500, lowered to half the process's
   * `ulimit -n` when that is smaller. At least 8.
   */
  readonly maxOpenFiles?: number
  /** Filesystem implementation (tests inject faults through it). */
  readonly fs?: FileSystem
  /** Clock in ms since the epoch, used for TTL. Default Date.now. */
  readonly now?: () => number
  /**
   * Build the tables of flushes and compactions on a background worker
   * thread while writes go on (the writing thread only freezes memtables and
   * switches manifests), instead of inline on the thread that accepts writes.
   * Default true with the real filesystem, false with any other `fs` (the
   * worker writes through the real filesystem only, so true with another
   * `fs` is refused). Pass false when the process already keeps the other
   * cores busy (as `put --batch` does with its parser thread). Writes wait
   * while a shard's memtable is full and the previous one is still being
   * flushed, or level 0 holds 3× compactionTrigger tables. Ignored when
   * read-only.
   */
  readonly background?: boolean
}

/** Options for `createStore`. */
export interface CreateOptions {
  /** Number of shards, 1 to 1024. Default 4. */
  readonly shards?: number
  /** Data block compression for new SSTables. Default 'lz' (several times cheaper than zlib to write and read, at a lower ratio). */
  readonly compression?: CompressionName
  readonly fs?: FileSystem
}

/** Options for one put. */
export interface PutOptions {
  /** Time to live in ms; the key disappears after it. */
  readonly ttlMs?: number
  /** Absolute expiry in ms since the epoch (for restoring exported records); not with ttlMs. */
  readonly expiresAt?: number
  /** Mark the value as JSON (readers may print it as JSON). The caller checks validity. */
  readonly json?: boolean
  /**
   * "NAME" or "NAME@VERSION" (default the latest): the value must be JSON
   * that validates against that registered schema version; it is stored as
   * JSON and stamped with the reference. An invalid value is refused
   * (SCHEMA_MISMATCH) and nothing of the call is written.
   */
  readonly schema?: string
}

/** One operation of an atomic batch. */
export type BatchOp =
  | {
      readonly type: 'put'
      readonly key: Uint8Array | string
      readonly value: Uint8Array | string
      readonly ttlMs?: number
      readonly expiresAt?: number
      readonly json?: boolean
      /** As PutOptions.schema. */
      readonly schema?: string
    }
  | {readonly type: 'del'; readonly key: Uint8Array | string}

/** A live key and its value, as reads return it. */
export interface KeyValue {
  readonly key: Buffer
  readonly value: Buffer
  /** Sequence number of the version returned (per shard). */
  readonly seq: number
  readonly shard: number
  /** Expiry in ms since the epoch, if it has a TTL. */
  readonly expiresAt?: number
  /** True if it was written as JSON. */
  readonly json: boolean
  /** The schema reference it is stamped with (written with a schema), if any. */
  readonly schema?: SchemaRef
}

/** Options for `scan`. Bounds are bytewise; the range is [from, to). */
export interface ScanOptions {
  readonly from?: Uint8Array | string
  readonly to?: Uint8Array | string
  readonly prefix?: Uint8Array | string
  readonly limit?: number
  readonly reverse?: boolean
}

/** Per-shard statistics. */
export interface ShardStats {
  readonly shard: number
  /** Live SSTables. */
  readonly tables: number
  readonly tableBytes: number
  /** Entries in the SSTables (all versions, tombstones included). */
  readonly tableEntries: number
  readonly tombstones: number
  readonly walBytes: number
  /** Entries in the memtable (recovered from the WAL). */
  readonly memtableEntries: number
  readonly memtableBytes: number
  /** Highest sequence number in the shard. */
  readonly lastSeq: number
  /** Non-empty levels: level 0 holds flushed memtables, each deeper level one sorted run. */
  readonly levels: ReadonlyArray<{readonly level: number; readonly tables: number; readonly bytes: number}>
}

/** Whole-store statistics. */
export interface StoreStats {
  readonly dir: string
  readonly formatVersion: number
  readonly shardCount: number
  readonly hash: string
  readonly compression: CompressionName
  readonly shards: readonly ShardStats[]
  readonly totals: Omit<ShardStats, 'shard' | 'lastSeq' | 'levels'>
}

/** What a compaction did (or would do, with dryRun). */
export interface CompactionReport {
  readonly dryRun: boolean
  readonly shards: ReadonlyArray<{
    readonly shard: number
    /** Tables read; every table for a full compaction (each is rewritten, so each block is checked). */
    readonly inputTables: number
    readonly inputBytes: number
    /** Memtable entries merged in (a range compaction flushes them first). */
    readonly memtableEntries: number
    readonly outputTables: number
    /** With dryRun, an estimate from the input tables' properties. */
    readonly outputBytes: number
    /** With dryRun: "tables" (estimated from the input tables) or "uncompressed" (no table to measure: raw size). */
    readonly outputBytesBasis?: 'tables' | 'uncompressed'
    /** Entries read, the memtable's included. */
    readonly entriesIn: number
    readonly entriesOut: number
    /** Overwritten versions, tombstones and expired records removed. */
    readonly dropped: number
  }>
}

/** Options for `compact`. */
export interface CompactOptions {
  /** Only this shard. */
  readonly shard?: number
  /** Only keys from this one (inclusive)… */
  readonly from?: Uint8Array | string
  /** …up to this one (exclusive). */
  readonly to?: Uint8Array | string
  /** Report what would be done without writing. */
  readonly dryRun?: boolean
  /** Called as each shard finishes. */
  readonly onProgress?: (done: number, total: number) => void
}

/** An open store. Keys and values given as strings are UTF-8. */
export interface Store {
  readonly dir: string
  readonly shardCount: number
  readonly readOnly: boolean
  /** The live value of `key`, or undefined (missing, deleted or expired). */
  get(key: Uint8Array | string): Promise<KeyValue | undefined>
  /** Synchronous `get`, for scripts and hot loops. */
  getSync(key: Uint8Array | string): KeyValue | undefined
  put(key: Uint8Array | string, value: Uint8Array | string, options?: PutOptions): Promise<void>
  delete(key: Uint8Array | string): Promise<void>
  /**
   * Applies `ops` in order. The operations that fall in one shard are one WAL
   * record: after a crash all of them are present or none. Operations in
   * different shards are applied shard by shard and are not atomic together.
   */
  batch(ops: readonly BatchOp[]): Promise<void>
  /** Live keys in bytewise order (descending with `reverse`), across all shards. */
  scan(options?: ScanOptions): AsyncIterableIterator<KeyValue>
  /** Synchronous `scan`. */
  scanSync(options?: ScanOptions): IterableIterator<KeyValue>
  /** Writes every memtable to an SSTable and syncs. */
  flush(): Promise<void>
  /**
   * Compacts each shard (or `shard`, or the keys in [from, to)) into its
   * deepest level, dropping overwritten versions, tombstones and expired records.
   */
  compact(options?: CompactOptions): Promise<CompactionReport>
  stats(): StoreStats
  /**
   * Takes a cut of the whole store now (every shard's manifest, WAL length and
   * last sequence number) and pins its files; `release()` it when done.
   * Writers only: it uses the writer lock this store already holds.
   */
  cut(): StoreCut
  /** Every stored version of `key`: shard, WAL or SSTable, and which one wins and why. */
  explain(key: Uint8Array | string): KeyExplanation
  /** Syncs outstanding writes, releases the lock. Idempotent. */
  close(): Promise<void>
}

/** One stored version of a key, as `explain` reports it. */
export interface ExplainedVersion {
  /** Where it is: the WAL (and so the memtable), or an SSTable. */
  readonly source: 'wal' | 'sstable'
  readonly file: string
  /** WAL: byte offset of the record; SSTable: byte offset of the data block. */
  readonly offset: number
  readonly level?: number
  readonly seq: number
  readonly kind: 'put' | 'delete'
  readonly expiresAt?: number
  readonly valueBytes: number
  /** The value (undefined for tombstones). */
  readonly value?: Buffer
  /** The schema reference it is stamped with, if any. */
  readonly schema?: SchemaRef
  /**
   * 'wins': the newest version, and it is live. 'deleted' / 'expired': the
   * newest version, a tombstone or past its expiry, so the key reads as absent.
   * 'shadowed': an older version hidden by a newer one.
   */
  readonly status: 'wins' | 'deleted' | 'expired' | 'shadowed'
}

/** Where a key lives and which version a read returns. */
export interface KeyExplanation {
  readonly key: Buffer
  /** The key's shard in STORE's shard generation. */
  readonly shard: number
  /** STORE's shard generation (0 until a shard-rebalance; its shard folders are shard-NNNN.gG). */
  readonly generation: number
  /** The key's 64-bit hash, hex. */
  readonly hash: string
  /** 'live', 'deleted', 'expired' or 'missing' (no version stored). */
  readonly state: 'live' | 'deleted' | 'expired' | 'missing'
  /** Newest first. */
  readonly versions: readonly ExplainedVersion[]
}
