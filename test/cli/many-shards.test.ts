import test from 'ava'
import * as path from 'node:path'
import {createStore, open} from '../../src/index.js'
import {shardOf} from '../../src/util/hash.js'
import {tempDir} from '../helpers/temp.js'
import {strata, type CliResult} from '../helpers/cli.js'

const SHARDS = 1024
/** Well below the descriptors a command would need with one per shard. */
const ULIMIT = 256

/** Runs `strata args…` as a child whose soft limit on open files is ULIMIT. */
const strataLimited = (args: string[]): CliResult => strata(args, {openFiles: ULIMIT})

test(`a store of ${SHARDS} shards with tables in every shard works under ulimit -n ${ULIMIT}`, async (t) => {
  t.timeout(10 * 60_000) // 1,024 shards: init, flush and compact sync thousands of files
  const dir = path.join(tempDir(), 'db')
  await createStore(dir, {shards: SHARDS})
  // Keys until every shard holds two, then a flush: a table in every shard.
  const perShard = new Array<number>(SHARDS).fill(0)
  const keys: string[] = []
  for (let i = 0; perShard.some((n) => n < 2); i++) {
    const k = `key-${i}`
    perShard[shardOf(Buffer.from(k), SHARDS)]++
    keys.push(k)
  }
  const s = await open(dir, {sync: 'none'})
  await s.batch(keys.map((key) => ({type: 'put' as const, key, value: `v-${key}`})))
  await s.flush()
  const tables = s.stats().totals.tables
  await s.close()
  t.true(tables >= SHARDS, `${tables} tables`)

  const scan = strataLimited(['scan', '--dir', dir, '--format', 'ndjson'])
  t.is(scan.code, 0, scan.stderr)
  t.is(scan.stdout.trim().split('\n').length, keys.length)

  const stats = strataLimited(['stats', '--dir', dir, '--format', 'json'])
  t.is(stats.code, 0, stats.stderr)
  t.is(JSON.parse(stats.stdout).totals.tables, tables)

  const verify = strataLimited(['verify', '--dir', dir])
  t.is(verify.code, 0, verify.stderr)

  const dump = strataLimited(['dump', '--dir', dir, '--records'])
  t.is(dump.code, 0, dump.stderr)

  const compact = strataLimited(['compact', '--dir', dir])
  t.is(compact.code, 0, compact.stderr)

  const get = strataLimited(['get', keys[keys.length - 1], '--dir', dir])
  t.is(get.code, 0, get.stderr)
  const after = strataLimited(['scan', '--dir', dir, '--format', 'ndjson'])
  t.is(after.code, 0, after.stderr)
  t.is(after.stdout.trim().split('\n').length, keys.length)
})
