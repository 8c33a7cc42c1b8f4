import test from 'ava'
import {assertError, ndjson, newStore, strata, treeHash} from './helpers.js'

interface ShardStats {shard: number; tables: number; tableBytes: number; tableEntries: number; tombstones: number; walBytes: number; memtableEntries: number; memtableBytes: number; lastSeq: number}

async function withData(t: Parameters<typeof newStore>[0]): Promise<string> {
  const dir = await newStore(t, 4)
  const input = Array.from({length: 200}, (_, i) => JSON.stringify({key: `key${i}`, value: `value${i}`})).join('\n')
  t.is((await strata(['put', '--batch', '-', '--dir', dir], {input})).code, 0)
  t.is((await strata(['delete', 'key1', 'key2', '--dir', dir])).code, 0)
  return dir
}

test('stats --format json has the documented shape', async (t) => {
  const dir = await withData(t)
  const r = await strata(['stats', '--dir', dir, '--format', 'json'])
  t.is(r.code, 0, r.stderr)
  const s = JSON.parse(r.stdout) as {dir: string; formatVersion: number; shardCount: number; hash: string; compression: string; shards: ShardStats[]; totals: Record<string, number>}
  t.is(s.shardCount, 4)
  t.is(s.formatVersion, 1)
  t.is(typeof s.hash, 'string')
  t.deepEqual(s.shards.map((x) => x.shard), [0, 1, 2, 3])
  for (const key of ['tables', 'tableBytes', 'tableEntries', 'tombstones', 'walBytes', 'memtableEntries', 'memtableBytes']) {
    t.is(typeof s.totals[key], 'number', key)
    t.is(s.totals[key], s.shards.reduce((n, x) => n + (x as unknown as Record<string, number>)[key], 0), key)
  }
  t.true(s.totals.memtableEntries + s.totals.tableEntries >= 198)
})

test('stats text, table and ndjson outputs', async (t) => {
  const dir = await withData(t)
  const text = await strata(['stats', '--dir', dir])
  t.is(text.code, 0, text.stderr)
  t.regex(text.stdout, /format v1, 4 shards/)
  t.regex(text.stdout, /^shard 3: tables=\d+ /m)
  t.regex(text.stdout, /^total: /m)
  const table = await strata(['stats', '--dir', dir, '--format', 'table'])
  t.regex(table.stdout, /│ SHARD │ TABLES │/)
  const nd = ndjson<ShardStats>((await strata(['stats', '--dir', dir, '--format', 'ndjson'])).stdout)
  t.deepEqual(nd.map((x) => x.shard), [0, 1, 2, 3])
})

test('stats and other reads never change the directory', async (t) => {
  const dir = await withData(t)
  const before = treeHash(dir)
  for (const args of [['stats'], ['get', 'key5'], ['scan'], ['scan', '--reverse', '--limit', '1'], ['compact', '--dry-run']]) {
    const r = await strata([...args, '--dir', dir])
    t.is(r.code, 0, `${args.join(' ')}: ${r.stderr}`)
  }
  t.deepEqual(treeHash(dir), before)
})

test('compact keeps exactly the live data and reports per shard', async (t) => {
  const dir = await withData(t)
  const before = (await strata(['scan', '--dir', dir, '--format', 'ndjson'])).stdout
  const r = await strata(['compact', '--dir', dir, '--format', 'json'])
  t.is(r.code, 0, r.stderr)
  t.is(r.stderr, '', 'no progress when stderr is not a terminal (the verify rule)')
  const report = JSON.parse(r.stdout) as {dryRun: boolean; shards: Array<{shard: number; entriesOut: number; dropped: number}>}
  t.false(report.dryRun)
  t.deepEqual(report.shards.map((s) => s.shard), [0, 1, 2, 3])
  t.is(report.shards.reduce((n, s) => n + s.entriesOut, 0), 198)
  const strip = (s: string): unknown[] => ndjson(s).map(({seq, ...rest}) => rest)
  t.deepEqual(strip((await strata(['scan', '--dir', dir, '--format', 'ndjson'])).stdout), strip(before))
  const stats = JSON.parse((await strata(['stats', '--dir', dir, '--json'])).stdout) as {totals: {tombstones: number; tableEntries: number}}
  t.is(stats.totals.tombstones, 0)
  t.is(stats.totals.tableEntries, 198)
  const again = await strata(['compact', '--dir', dir, '--format', 'json', '--progress'])
  t.is(again.code, 0, again.stderr)
  t.regex(again.stderr, /compact: 4\/4 shards done/, '--progress: progress goes to stderr')
  t.notRegex(again.stdout, /shards done/)
})

test('compact --shard compacts one shard; --dry-run writes nothing', async (t) => {
  const dir = await withData(t)
  const before = treeHash(dir)
  const dry = await strata(['compact', '--dry-run', '--dir', dir, '--format', 'ndjson'])
  t.is(dry.code, 0, dry.stderr)
  t.true(ndjson<{dryRun: boolean}>(dry.stdout).every((s) => s.dryRun))
  t.deepEqual(treeHash(dir), before)
  const one = await strata(['compact', '--shard', '2', '--dir', dir, '--json'])
  t.is(one.code, 0, one.stderr)
  t.deepEqual((JSON.parse(one.stdout) as {shards: Array<{shard: number}>}).shards.map((s) => s.shard), [2])
  const text = await strata(['compact', '--dir', dir])
  t.regex(text.stdout, /^shard 0: compacted /m)
})

test('compact --shard outside the store fails with exit 2', async (t) => {
  const dir = await withData(t)
  const before = treeHash(dir)
  assertError(t, await strata(['compact', '--shard', '9', '--dir', dir]), 'INVALID_ARGUMENT', 2)
  assertError(t, await strata(['compact', '--shard', '-1', '--dir', dir]), 'USAGE', 2)
  t.deepEqual(treeHash(dir), before)
})
