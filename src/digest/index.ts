/**
 * The store digest: an order-independent hash of a store's live logical
 * content, defined in formats/README.md ("Store digest").
 */
export {digestStore} from './digest-store.js'
export type {DigestOptions, ShardDigest, StoreDigest} from './digest-store.js'
