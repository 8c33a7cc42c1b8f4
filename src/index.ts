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
export {verifyStore, CHECKS as VERIFY_CHECKS, CHECK_IDS as VERIFY_CHECK_IDS} from './verify/index.js'
export type {
  VerifyOptions,
  VerifyReport,
  VerifyFinding,
  VerifySummary,
  CheckSummary as VerifyCheckSummary,
  CheckId as VerifyCheckId,
  KeyRange as VerifyKeyRange,
  Severity as VerifySeverity,
} from './verify/index.js'
export {decodedLiveRecords} from './dump/api.js'
export type {DecodedRecordsOptions, DumpRecord} from './dump/api.js'
