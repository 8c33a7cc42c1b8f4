/**
 * Replicas of a store in an object store: `replicate` ships cuts, retention
 * deletes old ones; restore (src/restore/) reads them back.
 */
export {replicate, DEFAULT_GRACE_MS} from './replicate.js'
export type {ReplicateOptions, ReplicateReport, CutReport} from './replicate.js'
export {applyRetention} from './retention.js'
export type {RetentionPolicy, RetentionReport} from './retention.js'
export type {CutDescriptor, CutObject, CutShard} from './cut-descriptor.js'
export type {TransferProgress} from './transfer.js'
