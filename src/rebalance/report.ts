/**
 * What a shard-rebalance reports: the plan's numbers (from the data), what
 * it wrote, the digests it compared, and its progress while it runs.
 */
import type {Matrix, Plan} from './plan.js'
import {expectedFraction} from './plan.js'

/** How a call ended. */
export type RebalanceAction =
  /** The store now has the new shard count. */
  | 'rebalanced'
  /** A dry run: nothing written. */
  | 'dry-run'
  /** The store already had that shard count. */
  | 'noop'
  /** An unfinished rebalance was thrown away. */
  | 'aborted'
  /** A committed rebalance's cleanup was finished. */
  | 'cleaned'
  /** Nothing to resume or abort. */
  | 'none'

/** The result of `rebalance`. */
export interface RebalanceReport {
  readonly action: RebalanceAction
  readonly from: number
  readonly to: number
  readonly dryRun: boolean
  /** A run that finished an interrupted one. */
  readonly resumed: boolean
  /** Live records (not expired at the run's instant) and their key + stored value bytes. */
  readonly keysTotal: number
  readonly bytesTotal: number
  /** Live records whose shard changes (a dry run: would change). */
  readonly keysMoved: number
  readonly bytesMoved: number
  /** keysMoved / keysTotal (0 for an empty store). */
  readonly fraction: number
  /** What jump hash moves in expectation: |to − from| / max(from, to). */
  readonly expectedFraction: number
  /** Bytes of the files the run created (0 for a dry run): new tables, copies, WALs, manifests. */
  readonly bytesWritten: number
  /** Tables of kept shards given a second name instead of being rewritten, and those copied. */
  readonly tablesLinked: number
  readonly tablesCopied: number
  /** Tombstones written into kept shards for the keys that left them. */
  readonly tombstones: number
  /** The shard generation STORE names after the run. */
  readonly generation?: number
  /** The digest of the old generation and of the new one, compared before the commit. */
  readonly digestBefore?: string
  readonly digestAfter?: string
  /** Rows: old shards; columns: new shards. */
  readonly matrix: Matrix
  readonly message?: string
}

/** Progress while a rebalance runs. `done` of `total` counts shards in the phase. */
export interface RebalanceProgress {
  readonly phase: 'flush' | 'plan' | 'copy' | 'verify' | 'switch' | 'cleanup'
  readonly done: number
  readonly total: number
  readonly keysMoved: number
  readonly bytesMoved: number
  readonly keysToMove: number
  readonly bytesToMove: number
}

/** @internal Builds a report. */
export function outcome(action: RebalanceAction, from: number, to: number, o: {
  plan?: Plan
  dryRun?: boolean
  resumed?: boolean
  digestBefore?: string
  digestAfter?: string
  work?: {bytesWritten: number; linkedTables: number; copiedTables: number; tombstones: number}
  generation?: number
  message?: string
}): RebalanceReport {
  const p = o.plan
  return {
    action,
    from,
    to,
    dryRun: o.dryRun === true,
    resumed: o.resumed === true,
    keysTotal: p?.keysTotal ?? 0,
    bytesTotal: p?.bytesTotal ?? 0,
    keysMoved: p?.keysMoved ?? 0,
    bytesMoved: p?.bytesMoved ?? 0,
    fraction: p !== undefined && p.keysTotal > 0 ? p.keysMoved / p.keysTotal : 0,
    expectedFraction: expectedFraction(from, to),
    bytesWritten: o.work?.bytesWritten ?? 0,
    tablesLinked: o.work?.linkedTables ?? 0,
    tablesCopied: o.work?.copiedTables ?? 0,
    tombstones: o.work?.tombstones ?? 0,
    ...(o.generation === undefined ? {} : {generation: o.generation}),
    ...(o.digestBefore === undefined ? {} : {digestBefore: o.digestBefore}),
    ...(o.digestAfter === undefined ? {} : {digestAfter: o.digestAfter}),
    matrix: p?.matrix ?? {keys: [], bytes: []},
    ...(o.message === undefined ? {} : {message: o.message}),
  }
}
