/**
 * strata's public library surface. Programs embedding the engine import from
 * here only.
 */
export * from './engine.js'
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
export {repairStore} from './repair/index.js'
export type {RepairOptions, RepairReport, ShardFinding as RepairShardFinding} from './repair/index.js'
export {decodedLiveRecords} from './dump/api.js'
export type {DecodedRecordsOptions, DumpRecord} from './dump/api.js'
export {importNdjson, exportLive, ImportError} from './bulk/index.js'
export type {ImportOptions, ImportResult, ExportOptions, ExportResult} from './bulk/index.js'
export * from './schema/index.js'
export * from './migrate/index.js'
export {replicate, applyRetention, DEFAULT_GRACE_MS} from './replicate/index.js'
export type {ReplicateOptions, ReplicateReport, CutReport, RetentionPolicy, RetentionReport, CutDescriptor, CutObject, CutShard, TransferProgress} from './replicate/index.js'
export {restore, listCuts} from './restore/index.js'
export type {RestoreOptions, RestoreReport, CutSummary, Verify} from './restore/index.js'
export {openObjectStore} from './objstore/open.js'
export type {ObjectStore, ObjectInfo, PutOptions as ObjectPutOptions} from './objstore/object-store.js'
