/**
 * `strata bench` as a real child process: its JSON shape, and that it refuses
 * any directory that holds something, leaving it byte-for-byte unchanged.
 */
import test from 'ava'
import {existsSync, mkdirSync, readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {assertError, newStore, strata, tempDir, treeHash} from '../cli/helpers.js'

const WORKLOADS = ['load', 'readSync', 'readAsync', 'scan', 'durablePut'] as const

test('bench --format json measures every workload and removes its scratch store', async (t) => {
  const dir = join(tempDir(t), 'scratch')
  const r = await strata(['bench', '--keys', '2000', '--durable-puts', '50', '--dir', dir, '--format', 'json'])
  t.is(r.code, 0, r.stderr)
  const doc = JSON.parse(r.stdout) as Record<string, unknown> & {results: Record<string, {ops: number; ms: number; perSec: number; unit: string}>}
  t.like(doc, {keys: 2000, keyBytes: 16, valueBytes: 100, shards: 4, compression: 'lz', reads: 2000, durablePuts: 50, kept: false})
  t.is(typeof doc.dir, 'string')
  t.deepEqual(Object.keys(doc.results), [...WORKLOADS])
  for (const w of WORKLOADS) {
    const m = doc.results[w]
    t.true(m.ms > 0 && Number.isFinite(m.ms), `${w}.ms`)
    t.true(m.perSec > 0 && Number.isFinite(m.perSec), `${w}.perSec`)
    t.is(m.unit, w === 'durablePut' ? 'puts/s' : 'keys/s')
  }
  t.is(doc.results.load.ops, 2000)
  t.is(doc.results.scan.ops, 2000, 'the scan returned exactly the loaded keys')
  t.is(doc.results.durablePut.ops, 50)
  t.false(existsSync(dir), 'a --dir that bench created is removed')
})

test('bench in an empty --dir leaves it empty; text output names every workload', async (t) => {
  const dir = tempDir(t)
  const r = await strata(['bench', '--keys', '1000', '--reads', '500', '--durable-puts', '10', '--dir', dir])
  t.is(r.code, 0, r.stderr)
  t.regex(r.stdout, /^strata bench: 1,000 keys/)
  for (const label of ['load', 'random reads \\(getSync\\)', 'random reads \\(await get\\)', 'full ordered scan', 'durable single puts']) {
    t.regex(r.stdout, new RegExp(`^${label}.*:\\s+[\\d,]+ (keys|puts)/s`, 'm'))
  }
  t.deepEqual(readdirSync(dir), [])
})

test('bench refuses a store that holds data: ALREADY_EXISTS, exit 2, store unchanged', async (t) => {
  const dir = await newStore(t)
  t.is((await strata(['put', 'precious', 'data', '--dir', dir])).code, 0)
  const before = treeHash(dir)
  const r = await strata(['bench', '--keys', '2000', '--dir', dir])
  assertError(t, r, 'ALREADY_EXISTS', 2, /holds a strata store/)
  t.deepEqual(treeHash(dir), before)
})

test('bench refuses a non-empty directory and ignores $STRATA_DIR', async (t) => {
  const dir = join(tempDir(t), 'stuff')
  mkdirSync(dir)
  writeFileSync(join(dir, 'notes.txt'), 'keep me')
  const before = treeHash(dir)
  const r = await strata(['bench', '--keys', '2000', '--dir', dir, '--format', 'json'])
  t.is(r.code, 2)
  t.is((JSON.parse(r.stderr) as {error: {code: string}}).error.code, 'INVALID_ARGUMENT')
  t.deepEqual(treeHash(dir), before)

  // $STRATA_DIR names the user's store; bench must not use it as its scratch directory.
  const store = await newStore(t)
  const storeBefore = treeHash(store)
  const s = await strata(['bench', '--keys', '1000', '--reads', '100', '--durable-puts', '5', '--format', 'json'], {env: {STRATA_DIR: store}})
  t.is(s.code, 0, s.stderr)
  t.not((JSON.parse(s.stdout) as {dir: string}).dir, store)
  t.deepEqual(treeHash(store), storeBefore)
})
