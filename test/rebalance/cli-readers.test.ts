/**
 * Readers in other processes while `strata shard-rebalance` switches
 * generations back and forth: every `scan`, `digest`, `get` and `verify` run
 * exits 0 and sees exactly the store's data (the old generation's or the new
 * one's, which hold the same records), never a mix and never a failure.
 */
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {strata, strataAsync} from '../helpers/cli.js'
import {tempDir} from '../helpers/temp.js'
import {
  contentsOf, digestOf, digestOfAsync, expectExit, initStore, loadBatch, parseScan, putLines, rebalanceAsync, recordText, storeState,
  verifyOfAsync,
} from './cli-support.js'

const TARGETS = [7, 3, 5, 2, 6, 4]

test('scan, digest, get and verify in a loop while rebalances run: each run exits 0 with the whole data', async (t) => {
  t.timeout(300_000)
  const root = tempDir(t)
  const dir = path.join(root, 'db')
  initStore(dir, 4)
  const first = path.join(root, 'first.ndjson')
  fs.writeFileSync(first, putLines('key:', 12_000, 1))
  loadBatch(dir, first)
  expectExit(strata(['compact', '--dir', dir]), 0, 'compact')
  const second = path.join(root, 'second.ndjson')
  // Overwrites of every third key, and TTL'd and JSON records, left in the WALs.
  const overwrites = putLines('key:', 12_000, 2).split('\n').filter((line, i) => line !== '' && i % 3 === 0)
  const extra = [{key: 'ttl:1', value: 'lives a day', ttl: '1d'}, {key: 'json:1', value: {a: [1, 2]}, valueEncoding: 'json'}].map((o) => JSON.stringify(o))
  fs.writeFileSync(second, [...overwrites, ...extra].join('\n') + '\n')
  loadBatch(dir, second)
  const expected = contentsOf(dir)
  const digest = digestOf(dir)
  t.is(expected.length, 12_002)
  t.is(digest.records, expected.length)

  let done = false
  const spans = {rebalances: [] as Array<[number, number]>, readers: [] as Array<[number, number]>}
  const kinds = {scan: 0, digest: 0, get: 0, verify: 0}
  const readers = (async () => {
    for (let i = 0; !done; i++) {
      const start = Date.now()
      switch (i % 4) {
        case 0: {
          const r = await strataAsync(['scan', '--dir', dir, '--format', 'ndjson', '--key-encoding', 'hex'])
          t.is(r.code, 0, `scan ${i}: ${r.stderr}`)
          const got = parseScan(r.stdout).map(recordText)
          t.true(got.length === expected.length && got.every((line, j) => line === expected[j]), `scan ${i}: ${got.length} records, not the store's ${expected.length}`)
          kinds.scan++
          break
        }
        case 1: {
          const d = await digestOfAsync(dir)
          t.deepEqual([d.digest, d.records], [digest.digest, digest.records], `digest ${i}`)
          kinds.digest++
          break
        }
        case 2: {
          const r = await strataAsync(['get', '--dir', dir, 'key:0000000', 'key:0011999', 'ttl:1', 'json:1', '--format', 'ndjson'])
          t.is(r.code, 0, `get ${i}: ${r.stderr}`)
          t.is(parseScan(r.stdout).length, 4)
          kinds.get++
          break
        }
        default: {
          const v = await verifyOfAsync(dir)
          t.is(v.code, 0, `verify ${i}`)
          t.is(v.errors, 0, `verify ${i}`)
          kinds.verify++
        }
      }
      spans.readers.push([start, Date.now()])
    }
  })()
  try {
    // Rebalance until the readers have run a good number of times (at least four rebalances, at most twelve).
    for (let i = 0; i < 12 && (i < 4 || spans.readers.length < 12); i++) {
      const start = Date.now()
      const m = TARGETS[i % TARGETS.length]
      const r = await rebalanceAsync(dir, m)
      t.is(r.code, 0, `rebalance to ${m}: ${r.stderr}`)
      t.is(storeState(dir).shards, m)
      spans.rebalances.push([start, Date.now()])
    }
  } finally {
    done = true
    await readers
  }
  const overlapping = spans.readers.filter(([s, e]) => spans.rebalances.some(([rs, re]) => s < re && e > rs)).length
  t.log(`${spans.rebalances.length} rebalances, reader runs ${JSON.stringify(kinds)}, ${overlapping} of them during a rebalance`)
  t.true(spans.rebalances.length >= 4)
  t.true(kinds.scan > 0 && kinds.digest > 0 && kinds.get > 0 && kinds.verify > 0, JSON.stringify(kinds))
  t.true(overlapping > 0)
  t.deepEqual(contentsOf(dir), expected)
})
