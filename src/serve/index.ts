/**
 * `strata serve`: an HTTP API over a store. `startServer` serves a
 * StoreHandle; the command opens the store, builds the handle and stops the
 * server on SIGINT/SIGTERM (shutdown.ts).
 */
export {startServer} from './server.js'
export type {RunningServer, ServerOptions} from './server.js'
export {FixedStoreHandle, LeasedStore} from './store-handle.js'
export type {StoreHandle, StoreLease, ServerRole} from './store-handle.js'
export {RefreshingStoreHandle} from './refreshing-handle.js'
export {ReplicaStoreHandle} from './replica-handle.js'
export type {ReplicaStatus, AppliedCut, ReplicaError} from './replica-handle.js'
export {startReplica} from './replica-follower.js'
export type {ReplicaOptions} from './replica-follower.js'
export {BearerAuth} from './auth.js'
export {DEFAULT_LISTEN, checkExposure, isLoopback, parseListen} from './listen-address.js'
export type {ListenAddress} from './listen-address.js'
export {serveUntilSignal} from './shutdown.js'
