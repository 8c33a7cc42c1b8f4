/**
 * Store cuts: one instant of a whole store, its files pinned while held, and
 * the checkpoint that writes a cut out as a new store.
 */
export {takeCut} from './take-cut.js'
export type {TakeCutOptions} from './take-cut.js'
export type {StoreCut, ShardCut} from './cut.js'
export {checkpoint} from './checkpoint.js'
export type {CheckpointOptions, CheckpointReport, CheckpointShard} from './checkpoint.js'
export {cleanDeadPins} from './pin-cleaner.js'
export type {PinCleanup} from './pin-cleaner.js'
export {PINS_DIR} from '../layout/names.js'
export {openCut} from './cut-view.js'
export type {CutViewOptions} from './cut-view.js'
export {cutShardSnapshots} from './cut-files.js'
