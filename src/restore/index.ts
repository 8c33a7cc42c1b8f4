/** Rebuilding a store from a replica (src/replicate/) at one of its cuts. */
export {restore, listCuts} from './restore.js'
export type {RestoreOptions, RestoreReport, CutSummary} from './restore.js'
export type {ReuseObject, Verify} from './write-out.js'
