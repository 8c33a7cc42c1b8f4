import test from 'ava'
import {cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {assertError, assertJsonError, newStore, strata, tempDir, treeHash} from './helpers.js'

/** A store of `shards` shards holding k1…k`n`, then its STORE removed. */
async function storeWithoutDescriptor(t: Parameters<typeof newStore>[0], shards: number, n = 40): Promise<string> {
  const dir = await newStore(t, shards)
  const lines = Array.from({length: n}, (_, i) => JSON.stringify({key: `k${i + 1}`, value: `v${i + 1}`})).join('\n')
  const put = await strata(['put', '--batch', '-', '--dir', dir], {input: `${lines}\n`})
  t.is(put.code, 0, put.stderr)
  rmSync(join(dir, 'STORE'))
  return dir
}

test('a store that lost STORE: init refuses it and keeps the data, get hints at repair, repair brings the data back', async (t) => {
  const dir = join(tempDir(t), 'd1')
  t.is((await strata(['init', '--dir', dir, '--shards', '2'])).code, 0)
  t.is((await strata(['put', 'k1', 'v1', '--dir', dir])).code, 0)
  rmSync(join(dir, 'STORE'))
  const before = treeHash(dir)

  const init = await strata(['init', '--dir', dir, '--shards', '2'])
  assertError(t, init, 'INVALID_ARGUMENT', 2, /repair/)
  t.deepEqual(treeHash(dir), before, 'init changed nothing')
  t.true(Object.keys(before).some((f) => f.endsWith('.wal')), 'the shard directories still hold their WALs')

  const get = await strata(['get', 'k1', '--dir', dir])
  assertError(t, get, 'NOT_A_STORE', 2, /strata repair --dir/)
  t.notRegex(get.stderr, /strata init/, 'no init hint when shard directories hold data')
  const json = assertJsonError(t, await strata(['get', 'k1', '--dir', dir, '--format', 'json']), 'NOT_A_STORE', 2)
  t.regex(json.hint ?? '', /^rebuild it from the shards with: strata repair --dir /)

  const repair = await strata(['repair', '--dir', dir])
  t.is(repair.code, 0, repair.stderr)
  t.regex(repair.stdout, /^rebuilt STORE in .* \(STORE is missing\): 2 shards/)
  const again = await strata(['get', 'k1', '--dir', dir])
  t.is(again.code, 0, again.stderr)
  t.is(again.stdout, 'v1\n')
  t.is((await strata(['verify', '--dir', dir])).code, 0)
})

test('repair --dry-run reports and writes nothing; --format json gives the report', async (t) => {
  const dir = await storeWithoutDescriptor(t, 3)
  const before = treeHash(dir)
  const r = await strata(['repair', '--dir', dir, '--dry-run', '--format', 'json'])
  t.is(r.code, 0, r.stderr)
  const report = JSON.parse(r.stdout) as {action: string; dryRun: boolean; reason: string; store: {shards: number; hash: string; compression: string}; defaults: string[]; shards: Array<{shard: number; keys: number}>}
  t.is(report.action, 'rebuilt')
  t.true(report.dryRun)
  t.is(report.reason, 'STORE is missing')
  t.deepEqual(report.store.shards, 3)
  t.is(report.store.hash, 'fnv1a64-jump')
  t.deepEqual(report.defaults, ['compression', 'blockSize', 'shardGeneration', 'createdAt'])
  t.deepEqual(report.shards.map((s) => s.shard), [0, 1, 2])
  t.is(report.shards.reduce((a, s) => a + s.keys, 0), 40)
  t.deepEqual(treeHash(dir), before)
})

test('repair rebuilds a damaged STORE and keeps the damaged one', async (t) => {
  const dir = await newStore(t, 2)
  t.is((await strata(['put', 'k', 'v', '--dir', dir])).code, 0)
  const bytes = readFileSync(join(dir, 'STORE'))
  bytes[13] ^= 0xff
  writeFileSync(join(dir, 'STORE'), bytes)
  assertError(t, await strata(['get', 'k', '--dir', dir]), 'CORRUPTION', 3, /repair/)
  const r = await strata(['repair', '--dir', dir, '--compression', 'none', '--format', 'json'])
  t.is(r.code, 0, r.stderr)
  const report = JSON.parse(r.stdout) as {reason: string; damagedStoreKeptAs: string; defaults: string[]; store: {compression: string}}
  t.regex(report.reason, /^STORE is damaged: /)
  t.is(report.store.compression, 'none')
  t.false(report.defaults.includes('compression'))
  t.deepEqual(readFileSync(join(dir, report.damagedStoreKeptAs)), bytes, 'the damaged STORE is kept byte for byte')
  const g = await strata(['get', 'k', '--dir', dir])
  t.is(g.stdout, 'v\n', g.stderr)
})

test('repair leaves an intact STORE alone', async (t) => {
  const dir = await newStore(t, 2)
  const before = treeHash(dir)
  const r = await strata(['repair', '--dir', dir, '--format', 'json'])
  t.is(r.code, 0, r.stderr)
  t.is((JSON.parse(r.stdout) as {action: string}).action, 'none')
  t.deepEqual(treeHash(dir), before)
})

test('repair refuses what is not a store at all: exit 2, nothing written', async (t) => {
  const base = tempDir(t)
  const empty = join(base, 'empty')
  mkdirSync(empty)
  assertError(t, await strata(['repair', '--dir', empty]), 'NOT_A_STORE', 2)
  assertError(t, await strata(['repair', '--dir', join(base, 'missing')]), 'NOT_A_STORE', 2)
  t.false(existsSync(join(base, 'missing')))
  const unfinished = join(base, 'unfinished')
  mkdirSync(join(unfinished, 'shard-0000'), {recursive: true})
  writeFileSync(join(unfinished, 'INIT-IN-PROGRESS'), '')
  const before = treeHash(unfinished)
  assertError(t, await strata(['repair', '--dir', unfinished]), 'NOT_A_STORE', 2, /init did not finish/)
  t.deepEqual(treeHash(unfinished), before)
  t.deepEqual(readdirSync(empty), [])
})

test('repair refuses inconsistent shard directories with exit 3 and changes nothing', async (t) => {
  // A gap in the shard directories.
  const gap = await storeWithoutDescriptor(t, 3)
  renameSync(join(gap, 'shard-0002'), join(gap, 'shard-0005'))
  let before = treeHash(gap)
  assertError(t, await strata(['repair', '--dir', gap]), 'CORRUPTION', 3, /shard-0002 is missing/)
  t.deepEqual(treeHash(gap), before)

  // Shard directories swapped: each manifest names the other shard.
  const swapped = await storeWithoutDescriptor(t, 2)
  renameSync(join(swapped, 'shard-0000'), join(swapped, 'tmp'))
  renameSync(join(swapped, 'shard-0001'), join(swapped, 'shard-0000'))
  renameSync(join(swapped, 'tmp'), join(swapped, 'shard-0001'))
  before = treeHash(swapped)
  assertError(t, await strata(['repair', '--dir', swapped]), 'CORRUPTION', 3, /shard-0000 does not open/)
  t.deepEqual(treeHash(swapped), before)

  // An extra, empty but valid, shard directory: the keys of the 2 real shards do not all hash there for 3.
  const extra = await storeWithoutDescriptor(t, 2, 200)
  const donor = await newStore(t, 3)
  cpSync(join(donor, 'shard-0002'), join(extra, 'shard-0002'), {recursive: true})
  before = treeHash(extra)
  assertError(t, await strata(['repair', '--dir', extra]), 'CORRUPTION', 3, /belongs to shard 2 of 3/)
  t.deepEqual(treeHash(extra), before)

  // A lost last shard directory is only caught by --shards.
  const lost = await storeWithoutDescriptor(t, 4)
  rmSync(join(lost, 'shard-0003'), {recursive: true})
  before = treeHash(lost)
  assertError(t, await strata(['repair', '--dir', lost, '--shards', '4']), 'CORRUPTION', 3, /found 3 shard directories, but the store has 4/)
  t.deepEqual(treeHash(lost), before)

  // A damaged table.
  const damaged = await storeWithoutDescriptor(t, 1, 20)
  t.is((await strata(['repair', '--dir', damaged])).code, 0)
  t.is((await strata(['compact', '--dir', damaged])).code, 0)
  rmSync(join(damaged, 'STORE'))
  const sst = readdirSync(join(damaged, 'shard-0000')).find((f) => f.endsWith('.sst'))
  t.truthy(sst, 'compact wrote a table')
  const p = join(damaged, 'shard-0000', sst!)
  const buf = readFileSync(p)
  buf[10] ^= 0xff
  writeFileSync(p, buf)
  before = treeHash(damaged)
  assertError(t, await strata(['repair', '--dir', damaged]), 'CORRUPTION', 3, /shard-0000 does not read through/)
  t.deepEqual(treeHash(damaged), before)
})
