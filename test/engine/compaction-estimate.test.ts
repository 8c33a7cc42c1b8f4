/**
 * `compact --dry-run` against the real run on the same store: the same
 * input tables and memtable entries, exactly the entries the real run keeps,
 * and an output size within TOLERANCE of the real one (the bound
 * src/store/compaction-estimate.ts states), for compressible and random
 * values, small and large, with overwrites, deletes and expired records.
 */
import test, {type ExecutionContext} from 'ava'
import * as path from 'node:path'
import {createStore, open, type CompactionReport} from '../../src/index.js'
import {pseudoRandom} from '../helpers/random.js'
import {tempDir} from '../helpers/temp.js'

const TOLERANCE = 0.15

interface Profile {
  readonly name: string
  readonly compression: 'zlib' | 'none'
  readonly keys: number
  readonly value: (i: number, round: number) => Buffer
}

const PROFILES: readonly Profile[] = [
  {name: 'compressible text values, zlib', compression: 'zlib', keys: 3000, value: (i, r) => Buffer.from(`value of ${i} in round ${r}; `.repeat(1 + (i % 6)))},
  {name: 'random values, zlib', compression: 'zlib', keys: 2000, value: (i, r) => pseudoRandom(`${i}/${r}`, 20 + (i % 200))},
  {name: 'random values, no compression', compression: 'none', keys: 2000, value: (i, r) => pseudoRandom(`${i}/${r}`, 20 + (i % 200))},
  {name: 'tiny values, zlib', compression: 'zlib', keys: 6000, value: (i) => Buffer.from(String(i % 100))},
  {name: 'large random values, no compression', compression: 'none', keys: 300, value: (i, r) => pseudoRandom(`${i}/${r}`, 3000 + i)},
]

/** A store of 2 shards with tables on several levels and data in the memtable: three rounds of overwrites, deletes and expired records. */
async function build(p: Profile): Promise<string> {
  const dir = path.join(tempDir(), 'db')
  await createStore(dir, {shards: 2, compression: p.compression})
  const real = Date.now()
  let clock = real
  // Inline flushes: the memtable holds exactly what the last flush left, whatever a background job's timing.
  const s = await open(dir, {sync: 'none', walFlushBytes: 32 * 1024, compactionTrigger: 3, levelBaseBytes: 128 * 1024, now: () => clock, background: false})
  for (let round = 0; round < 3; round++) {
    for (let i = round * 100; i < p.keys; i++) {
      const key = `key:${String((i * 7919) % p.keys).padStart(6, '0')}`
      if (i % 9 === round) {
        await s.delete(key)
      } else if (i % 13 === 5) {
        clock = real - 86_400_000 // a day ago, with a minute to live: expired now
        await s.put(key, p.value(i, round), {ttlMs: 60_000})
        clock = real
      } else {
        await s.put(key, p.value(i, round))
      }
    }
  }
  await s.close()
  return dir
}

type Shard = CompactionReport['shards'][number]

function check(t: ExecutionContext, dry: Shard, real: Shard, what: string, exactInput = true): void {
  t.is(dry.inputTables, real.inputTables, `${what}: input tables`)
  // A range's dry run estimates the size of the table its flush would write.
  if (exactInput) t.is(dry.inputBytes, real.inputBytes, `${what}: input bytes`)
  else t.true(Math.abs(dry.inputBytes - real.inputBytes) / real.inputBytes <= TOLERANCE, `${what}: input bytes ${dry.inputBytes}, real ${real.inputBytes}`)
  t.is(dry.memtableEntries, real.memtableEntries, `${what}: memtable entries`)
  t.is(dry.entriesIn, real.entriesIn, `${what}: entries in`)
  t.is(dry.entriesOut, real.entriesOut, `${what}: entries kept`)
  const error = Math.abs(dry.outputBytes - real.outputBytes) / real.outputBytes
  t.log(`${what}: output estimated ${dry.outputBytes} bytes, written ${real.outputBytes} (${(error * 100).toFixed(1)}% off)`)
  t.true(error <= TOLERANCE, `${what}: estimated ${dry.outputBytes} bytes, wrote ${real.outputBytes} (${(error * 100).toFixed(1)}% off)`)
  t.true(Math.abs(dry.outputTables - real.outputTables) <= 1, `${what}: ${dry.outputTables} tables estimated, ${real.outputTables} written`)
  t.is(dry.outputBytesBasis, 'tables')
}

for (const p of PROFILES) {
  test(`a full compaction's dry run matches the real run: ${p.name}`, async (t) => {
    const dir = await build(p)
    const s = await open(dir, {sync: 'none'})
    try {
      const dry = await s.compact({dryRun: true})
      t.true(dry.dryRun)
      const real = await s.compact()
      t.is(real.shards.length, 2)
      for (const [i, r] of real.shards.entries()) {
        t.true(r.inputTables >= 2 && r.memtableEntries > 0 && r.entriesIn > r.entriesOut, `shard ${i}: a store worth compacting (${JSON.stringify(r)})`)
        check(t, dry.shards[i], r, `shard ${i}`)
      }
    } finally {
      await s.close()
    }
  })
}

test('a range compaction\'s dry run plans as the real run does, after its flush', async (t) => {
  const p = PROFILES[4]
  const dir = await build(p)
  const s = await open(dir, {sync: 'none', levelBaseBytes: 128 * 1024})
  try {
    await s.compact()
    const tables = s.stats().shards.map((x) => x.tables)
    t.true(tables.every((n) => n >= 3), `tables per shard: ${tables}`)
    // New versions of a few keys: the memtable the range compaction flushes first.
    for (let i = 100; i < 110; i++) await s.put(`key:${String(i).padStart(6, '0')}`, p.value(i, 9))
    const range = {from: 'key:000100', to: 'key:000110'}
    const dry = await s.compact({dryRun: true, ...range})
    const real = await s.compact(range)
    for (const [i, r] of real.shards.entries()) {
      t.true(r.inputTables >= 2 && r.inputTables < tables[i] + 1 && r.memtableEntries > 0, `shard ${i}: only part of the shard (${JSON.stringify(r)})`)
      check(t, dry.shards[i], r, `shard ${i}`, false)
    }
  } finally {
    await s.close()
  }
})

test('with only a memtable the dry run says its size is as if uncompressed', async (t) => {
  const dir = path.join(tempDir(), 'db')
  await createStore(dir, {shards: 1, compression: 'none'})
  const s = await open(dir, {sync: 'none'})
  try {
    for (let i = 0; i < 500; i++) await s.put(`key:${i}`, pseudoRandom(String(i), 50 + (i % 100)))
    const dry = (await s.compact({dryRun: true})).shards[0]
    const real = (await s.compact()).shards[0]
    t.like(dry, {inputTables: 0, memtableEntries: 500, entriesOut: 500, outputBytesBasis: 'uncompressed'})
    t.like(real, {inputTables: 0, memtableEntries: 500, entriesOut: 500, outputTables: 1})
    // Uncompressed data: the raw estimate holds.
    const error = Math.abs(dry.outputBytes - real.outputBytes) / real.outputBytes
    t.true(error <= TOLERANCE, `estimated ${dry.outputBytes}, wrote ${real.outputBytes}`)
  } finally {
    await s.close()
  }
})
