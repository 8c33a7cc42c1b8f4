/**
 * shard-rebalance: changing a store's shard count in place (rebalance.ts),
 * with its journal, plan, target building and cleanup beside it.
 */
export {rebalance, LOCK_HOLDER} from './rebalance.js'
export type {RebalanceOptions, RebalanceReport, RebalanceProgress} from './rebalance.js'
