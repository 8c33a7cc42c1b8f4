/**
 * strata's public library surface. Programs embedding the engine import from
 * here only.
 */
export {open, createStore} from './store/store.js'
export {StrataError, ErrorCode} from './errors.js'
export {MAX_KEY_BYTES, MAX_VALUE_BYTES} from './record/format.js'
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
export type {FileSystem, ReadableFile, WritableFile} from './vfs/fs.js'
