/**
 * Corruption suite, part 3: SSTables. Small tables get a single-bit flip at
 * every byte, large ones at 1,200 sampled offsets plus the first and last
 * bytes of every block; tables are truncated at many lengths, zeroed in
 * ranges (inside one block, across blocks, over the footer) and deleted.
 * Every case must be reported at the table and an offset inside a damaged
 * block (or at the manifest, for a deleted table).
 */
import test from 'ava'
import * as fs from 'node:fs'
import {parseSstable, Parsers} from '../../src/kaitai/index.js'
import {verifyStore} from '../../src/index.js'
import {Bench, flipped, kindOf, preparePristine, sampleOffsets, zeroed, type Pristine} from './damage.js'
import {regionsOf} from './helpers.js'

const SMALL = 2048

let pristine: Pristine
let bench: Bench
let tables: string[]

test.before(async () => {
  pristine = await preparePristine('zlib')
  bench = new Bench(pristine)
  tables = [...pristine.files.keys()].filter((f) => kindOf(f) === 'sst')
})

test.serial('the tables include small and large ones, zlib and raw data blocks, levels 0 and 1', (t) => {
  const compressions = new Set<number>()
  const levels = new Set<number>()
  for (const rel of tables) {
    const table = parseSstable(pristine.files.get(rel)!, rel, {dataBlocks: 'skip'})
    for (const e of table.index.entries) compressions.add(e.handle.trailer.compression)
    levels.add(table.properties.level)
  }
  t.deepEqual([...compressions].sort(), [Parsers.StrataSstable.BlockCompression.NONE, Parsers.StrataSstable.BlockCompression.ZLIB])
  t.deepEqual([...levels].sort(), [0, 1])
  t.true(tables.some((r) => pristine.files.get(r)!.length < SMALL))
  t.true(tables.some((r) => pristine.files.get(r)!.length >= SMALL))
})

test.serial('a single-bit flip at any byte of a small table is reported in the damaged block', async (t) => {
  let cases = 0
  for (const rel of tables.filter((r) => pristine.files.get(r)!.length < SMALL)) {
    const buf = pristine.files.get(rel)!
    for (let at = 0; at < buf.length; at++) {
      await bench.judge(t, rel, {type: 'bytes', buf: flipped(buf, at, (at * 3) % 8), start: at, end: at + 1}, `bit ${(at * 3) % 8} of byte ${at} flipped`)
      cases++
    }
  }
  t.is(bench.tally.detected, cases)
})

test.serial('single-bit flips at 1,200 sampled offsets of large tables, and at every block edge, are reported in the damaged block', async (t) => {
  const large = tables.filter((r) => pristine.files.get(r)!.length >= SMALL)
  const before = bench.tally.detected
  let cases = 0
  for (const [i, rel] of large.entries()) {
    const buf = pristine.files.get(rel)!
    const offsets = new Set(sampleOffsets(buf.length, Math.ceil(1200 / large.length), 31 * (i + 1)))
    for (const r of regionsOf(rel, buf)) for (const at of [r.start, r.start + 1, r.end - 6, r.end - 5, r.end - 1]) offsets.add(at)
    for (const at of [...offsets].sort((a, b) => a - b)) {
      for (const bit of [at % 8, (at + 3) % 8]) {
        await bench.judge(t, rel, {type: 'bytes', buf: flipped(buf, at, bit), start: at, end: at + 1}, `bit ${bit} of byte ${at} flipped`)
        cases++
      }
    }
  }
  t.true(cases >= 1200)
  t.is(bench.tally.detected - before, cases)
})

test.serial('a table truncated at any length is reported', async (t) => {
  for (const rel of tables) {
    const buf = pristine.files.get(rel)!
    const lengths = new Set([0, 1, 7, 8, 51, 52, 53, buf.length - 1, buf.length - 8, buf.length - 52, buf.length - 53])
    for (const r of regionsOf(rel, buf)) for (const d of [-1, 0, 1]) lengths.add(r.start + d)
    for (const n of sampleOffsets(buf.length, 30, buf.length)) lengths.add(n)
    for (const n of [...lengths].filter((n) => n >= 0 && n < buf.length).sort((a, b) => a - b)) {
      await bench.judge(t, rel, {type: 'truncate', length: n}, `truncated to ${n} bytes`)
    }
  }
  t.is(bench.tally.harmless, 0)
})

test.serial('a zeroed range in a table (one block, across blocks, over the footer) is reported', async (t) => {
  for (const rel of tables) {
    const buf = pristine.files.get(rel)!
    const ranges: Array<[number, number]> = []
    for (const [i, start] of sampleOffsets(buf.length, 24, 5 + buf.length).entries()) ranges.push([start, Math.min(buf.length, start + 1 + (i * 37) % 300)])
    for (const r of regionsOf(rel, buf)) ranges.push([r.start, r.end], [r.start + 1, r.end - 5])
    ranges.push([buf.length - 52, buf.length], [0, buf.length])
    for (const [start, end] of ranges) {
      if (end <= start || buf.subarray(start, end).every((b) => b === 0)) continue
      await bench.judge(t, rel, {type: 'bytes', buf: zeroed(buf, start, end), start, end}, `bytes ${start}..${end - 1} zeroed`)
    }
  }
  t.is(bench.tally.harmless, 0)
})

test.serial('a deleted table is reported at the manifest that lists it', async (t) => {
  const before = bench.tally.detected
  for (const rel of tables) await bench.judge(t, rel, {type: 'delete'}, 'deleted')
  t.is(bench.tally.detected - before, tables.length)
  t.log(`outcomes so far: ${JSON.stringify(bench.tally)}`)
})

test.serial('--quick reads no data block: a data-block flip passes it, the full check catches it', (t) => {
  const rel = tables.find((r) => pristine.files.get(r)!.length >= SMALL)!
  const buf = pristine.files.get(rel)!
  const block0 = regionsOf(rel, buf)[0]
  const damaged = flipped(buf, block0.start + 2, 4)
  const b = new Bench(pristine)
  fs.writeFileSync(`${b.work}/${rel}`, damaged)
  t.is(verifyStore(b.work, {quick: true}).summary.errors, 0)
  const full = verifyStore(b.work)
  t.deepEqual(full.findings.map((f) => [f.check, f.file, f.offset]), [['sst.block-crc', rel, block0.start]])
})
