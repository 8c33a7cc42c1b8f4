import test from 'ava'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {assertError, assertJsonError, strata, tempDir, treeHash} from './helpers.js'

test('init creates a store that stats can read', async (t) => {
  const dir = join(tempDir(t), 'data')
  const r = await strata(['init', '--dir', dir, '--shards', '8'])
  t.is(r.code, 0, r.stderr)
  t.is(r.stderr, '')
  t.regex(r.stdout, /^initialized store in .*data \(8 shards, lz compression\)\n$/)
  const s = await strata(['stats', '--dir', dir, '--format', 'json'])
  t.is(s.code, 0, s.stderr)
  const stats = JSON.parse(s.stdout) as {shardCount: number; compression: string; shards: unknown[]}
  t.is(stats.shardCount, 8)
  t.is(stats.compression, 'lz')
  t.is(stats.shards.length, 8)
})

test('init --format json prints dir, shards and compression', async (t) => {
  const dir = join(tempDir(t), 'data')
  const r = await strata(['init', '--dir', dir, '--shards', '2', '--compression', 'none', '--json'])
  t.is(r.code, 0, r.stderr)
  t.deepEqual(JSON.parse(r.stdout), {dir, shards: 2, compression: 'none'})
})

test('init uses STRATA_DIR when --dir is not given', async (t) => {
  const dir = join(tempDir(t), 'from-env')
  const r = await strata(['init', '--format', 'ndjson'], {env: {STRATA_DIR: dir}})
  t.is(r.code, 0, r.stderr)
  t.is((JSON.parse(r.stdout) as {dir: string}).dir, dir)
  t.is((await strata(['stats', '--dir', dir])).code, 0)
})

test('init on an existing store fails with ALREADY_EXISTS (exit 2) and changes nothing', async (t) => {
  const dir = join(tempDir(t), 'data')
  t.is((await strata(['init', '--dir', dir])).code, 0)
  t.is((await strata(['put', 'k', 'v', '--dir', dir])).code, 0)
  const before = treeHash(dir)
  assertError(t, await strata(['init', '--dir', dir]), 'ALREADY_EXISTS', 2)
  assertJsonError(t, await strata(['init', '--dir', dir, '--format', 'json']), 'ALREADY_EXISTS', 2)
  t.deepEqual(treeHash(dir), before)
})

test('init refuses a shard count outside 1..1024 (exit 2)', async (t) => {
  const dir = join(tempDir(t), 'data')
  assertError(t, await strata(['init', '--dir', dir, '--shards', '0']), 'USAGE', 2, /--shards/)
  assertError(t, await strata(['init', '--dir', dir, '--shards', '1025']), 'USAGE', 2, /--shards/)
  assertError(t, await strata(['init', '--dir', dir, '--compression', 'lz4']), 'USAGE', 2, /compression/)
})

test('init in a non-empty directory that is not a store fails and leaves it alone', async (t) => {
  const dir = tempDir(t)
  mkdirSync(join(dir, 'sub'))
  writeFileSync(join(dir, 'notes.txt'), 'mine')
  const before = treeHash(dir)
  const r = await strata(['init', '--dir', dir])
  t.is(r.code, 2, r.stderr)
  t.deepEqual(treeHash(dir), before)
})
