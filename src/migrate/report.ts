/**
 * What migrate-schema reports: the run's (or the dry run's) counts, the
 * records that fail to convert, and the proof. Keys are bytes; the command
 * prints them in its key encoding.
 */

/** Options for `migrateSchema`. Key bounds are bytewise: [from, to), under prefix. */
export interface MigrateOptions {
  /** The schema name. */
  readonly schema: string
  /** The version to rewrite records to; default the schema's latest. */
  readonly toVersion?: number
  /** Report what would change, write nothing (no lock taken). */
  readonly dryRun?: boolean
  /** Continue an unfinished run (the same flags continue it too); with none unfinished, start one. */
  readonly resume?: boolean
  /** Drop an unfinished run's journal: records it rewrote stay rewritten (they read the same). */
  readonly abort?: boolean
  readonly from?: Uint8Array | string
  readonly to?: Uint8Array | string
  readonly prefix?: Uint8Array | string
  /** A record that fails to convert: stop before its chunk is written (default), or leave it at its version and go on. */
  readonly onError?: 'stop' | 'skip'
  /** Records read (and written into the shard's new tables) per durable chunk. Default 100000. */
  readonly chunkRecords?: number
  /** How long to wait for the writer lock. Default 0. */
  readonly lockTimeoutMs?: number
  /** Called after each chunk (and each shard of a dry run). */
  readonly onProgress?: (p: MigrateProgress) => void
  /**
   * Threads the pass and the proof run on: 2 (default) runs them on a second
   * thread too, where the store is on the node filesystem and has two or
   * more shards; 1 keeps the whole run on the caller's thread.
   */
  readonly threads?: number
  readonly fs?: import('../vfs/fs.js').FileSystem
}

/** Progress of a run. */
export interface MigrateProgress {
  readonly shard: number
  readonly shardCount: number
  readonly examined: number
  readonly migrated: number
}

/** A record that does not convert, and why. */
export interface MigrateFailure {
  readonly key: Buffer
  /** The version it is stored at. */
  readonly version: number
  readonly reason: string
}

/** A dry run's example of a conversion. */
export interface MigrateSample {
  readonly key: Buffer
  readonly version: number
  readonly before: unknown
  readonly after: unknown
}

/** Per shard and stored version, what a dry run found. */
export interface MigrateShardCounts {
  readonly shard: number
  readonly versions: ReadonlyArray<{readonly version: number; readonly records: number; readonly wouldChange: number; readonly failed: number}>
}

/** What a run did, or a dry run would do. */
export interface MigrateReport {
  readonly schema: string
  readonly toVersion: number
  readonly dryRun: boolean
  /** A journal of an unfinished run was continued. */
  readonly resumed: boolean
  /** --abort: a journal was dropped. */
  readonly aborted: boolean
  /** Records of the schema in the selection looked at (by this process). */
  readonly examined: number
  /** Records rewritten (a dry run: that would be), by this run and the runs it continues. */
  readonly migrated: number
  readonly failed: number
  readonly failures: readonly MigrateFailure[]
  /** Dry run: per shard and stored version. */
  readonly shards: readonly MigrateShardCounts[]
  /** Dry run: a few conversions. */
  readonly samples: readonly MigrateSample[]
  /** Digest of the store as read through the lazy upgrade to toVersion, before the run (summed by its reading pass; null for an abort). */
  readonly digestBefore: string | null
  /** Digest of the stored records after the run (null for a dry run or an abort). */
  readonly digestAfter: string | null
  /** Records of the schema in the selection still below toVersion afterwards (the skipped ones). */
  readonly belowVersion: number
  /** Records at toVersion that do not validate against it afterwards. */
  readonly invalid: number
  /** The digests agree, and every record of the schema in the selection is at toVersion (but the skipped) and valid. */
  readonly verified: boolean | null
}
