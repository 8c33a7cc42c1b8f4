/**
 * `strata repair`: rebuilds a missing or damaged STORE from the shard
 * directories. Commands import from here only.
 */
export {repairStore} from './repair.js'
export type {RepairOptions, RepairReport} from './repair.js'
export type {ShardFinding} from './examine.js'
