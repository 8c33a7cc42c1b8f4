/**
 * The endpoint table: every path the server answers, its methods, and which
 * of them write. README.md's "strata serve" section documents the same table.
 */
import {bulkRange, scanRange} from './range-handlers.js'
import {deleteKey, getKey, putKey} from './kv-handlers.js'
import {postBulk} from './bulk-handler.js'
import {getDigest, getHealth, getStats, metricsHandler} from './info-handlers.js'
import type {Metrics} from './metrics.js'
import type {Route} from './router.js'

/** The routes of a server whose metrics are `metrics`. */
export function routes(metrics: Metrics): Route[] {
  return [
    {path: '/kv/', prefix: true, label: '/kv', methods: {GET: getKey, PUT: putKey, POST: putKey, DELETE: deleteKey}, writes: ['PUT', 'POST', 'DELETE']},
    {path: '/bulk', label: '/bulk', methods: {POST: postBulk}, writes: ['POST']},
    {path: '/bulk/range', label: '/bulk/range', methods: {GET: bulkRange}},
    {path: '/scan', label: '/scan', methods: {GET: scanRange}},
    {path: '/stats', label: '/stats', methods: {GET: getStats}},
    {path: '/digest', label: '/digest', methods: {GET: getDigest}},
    {path: '/healthz', label: '/healthz', methods: {GET: getHealth}},
    {path: '/metrics', label: '/metrics', methods: {GET: metricsHandler(metrics)}},
  ]
}
