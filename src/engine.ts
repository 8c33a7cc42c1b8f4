/**
 * The storage engine's surface: open, create, digest, errors and types. src/index.ts
 * re-exports it with the inspection tools (verify, dump). The CLI imports
 * from here, not from src/index.ts: the tools load the Kaitai parsers, which
 * would add ~35 ms to the start-up of every command that does not use them.
 */
export {open} from './store/open.js'
export {createStore} from './store/init.js'
export {digestStore} from './digest/index.js'
export type {DigestOptions, StoreDigest} from './digest/index.js'
export {StrataError, ErrorCode} from './errors.js'
export {takeCut, checkpoint, cleanDeadPins, openCut, PINS_DIR} from './cut/index.js'
export type {TakeCutOptions, StoreCut, ShardCut, CutViewOptions, CheckpointOptions, CheckpointReport, CheckpointShard, PinCleanup} from './cut/index.js'
export {rebalance} from './rebalance/index.js'
export type {RebalanceOptions, RebalanceReport, RebalanceProgress} from './rebalance/index.js'
export {MAX_KEY_BYTES, MAX_VALUE_BYTES} from './record/format.js'
export type {SchemaRef} from './record/format.js'
export {MAX_EXPIRES_AT, expiresAtProblem, expiryAfter} from './record/limits.js'
export {rangeProblem} from './store/key-range.js'
export type {ErrorDetails} from './errors.js'
export type {
  BatchOp,
  CompactOptions,
  CompactionReport,
  CreateOptions,
  ExplainedVersion,
  KeyExplanation,
  KeyValue,
  OpenOptions,
  PutOptions,
  ScanOptions,
  ShardStats,
  Store,
  StoreStats,
  SyncMode,
} from './api.js'
export type {FileLock, FileSystem, ReadableFile, WritableFile} from './vfs/fs.js'
