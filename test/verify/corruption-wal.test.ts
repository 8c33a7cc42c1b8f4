/**
 * Corruption suite, part 2: WALs. Every byte of every live WAL gets a
 * single-bit flip; WALs are truncated at many lengths (a cut at a record
 * boundary is indistinguishable from a log that was never longer, and a cut
 * inside the last record is a torn tail: both are checked against the
 * engine's reads of the WAL cut there), zeroed in ranges (to the end: a torn
 * tail), given a garbage or a partial record at the end, and deleted.
 */
import test from 'ava'
import {parseWal} from '../../src/kaitai/index.js'
import {allowedOutcomes, Bench, flipped, kindOf, preparePristine, sampleOffsets, zeroed, type Pristine} from './damage.js'

let pristine: Pristine
let bench: Bench
let wals: string[]

test.before(async () => {
  pristine = await preparePristine('zlib')
  bench = new Bench(pristine)
  wals = [...pristine.files.keys()].filter((f) => kindOf(f) === 'wal')
})

test.serial('the WALs hold several records, one of them a multi-entry batch', (t) => {
  t.is(wals.length, pristine.shards)
  for (const rel of wals) t.true(parseWal(pristine.files.get(rel)!, rel).records.length >= 5, rel)
})

test.serial('a single-bit flip at any byte of a WAL is reported at the damaged record', async (t) => {
  t.is(wals.length, pristine.shards)
  const before = bench.tally.detected
  let cases = 0
  for (const rel of wals) {
    const buf = pristine.files.get(rel)!
    for (let at = 0; at < buf.length; at++) {
      await bench.judge(t, rel, {type: 'bytes', buf: flipped(buf, at, (at * 5) % 8), start: at, end: at + 1}, `bit ${(at * 5) % 8} of byte ${at} flipped`)
      cases++
    }
  }
  // Every record is checksummed, and a damaged header field is told from a torn tail: all are errors.
  t.is(cases, wals.reduce((n, rel) => n + pristine.files.get(rel)!.length, 0))
  t.is(bench.tally.detected - before, cases)
})

test.serial('a WAL truncated anywhere loses only its tail, which verify reports as torn or cannot see', async (t) => {
  t.is(wals.length, pristine.shards)
  const before = allowedOutcomes(bench.tally)
  const tornBefore = bench.tally.torn
  let cases = 0
  for (const rel of wals) {
    const buf = pristine.files.get(rel)!
    const lengths = new Set<number>()
    for (let n = 0; n <= 24; n++) lengths.add(n)
    for (const r of parseWal(buf, rel).records) for (const d of [-1, 0, 1, 9, 10]) lengths.add(r.ofs + d)
    for (const n of sampleOffsets(buf.length, 60, buf.length)) lengths.add(n)
    for (const n of [...lengths].filter((n) => n >= 0 && n < buf.length).sort((a, b) => a - b)) {
      await bench.judge(t, rel, {type: 'truncate', length: n}, `truncated to ${n} bytes`)
      cases++
    }
  }
  // At least the first 25 lengths of every WAL (each holds at least 5 records), each in an allowed outcome.
  t.true(cases >= 25 * wals.length, `${cases} cuts`)
  t.is(allowedOutcomes(bench.tally) - before, cases)
  t.true(bench.tally.torn - tornBefore > 0)
})

test.serial('a zeroed range inside a WAL is an error, one reaching its end a torn tail', async (t) => {
  t.is(wals.length, pristine.shards)
  const before = allowedOutcomes(bench.tally)
  let cases = 0
  let tails = 0
  for (const rel of wals) {
    const buf = pristine.files.get(rel)!
    const records = parseWal(buf, rel).records
    for (const [i, start] of sampleOffsets(buf.length, 40, 7 + buf.length).entries()) {
      const end = Math.min(buf.length, start + 1 + (i * 13) % 64)
      if (buf.subarray(start, end).every((b) => b === 0)) continue
      await bench.judge(t, rel, {type: 'bytes', buf: zeroed(buf, start, end), start, end}, `bytes ${start}..${end - 1} zeroed`)
      cases++
    }
    for (const r of records.slice(-3)) {
      for (const from of [r.ofs, r.ofs + 4, r.ofs + 9, r.ofs + 12]) {
        await bench.judge(t, rel, {type: 'bytes', buf: zeroed(buf, from, buf.length), start: from, end: buf.length}, `zeroed from ${from} to the end`)
        tails++
      }
      // Only the record's header zeroed (as if its first page never reached the disk).
      await bench.judge(t, rel, {type: 'bytes', buf: zeroed(buf, r.ofs, r.ofs + 9), start: r.ofs, end: r.ofs + 9}, `record header at ${r.ofs} zeroed`)
      tails++
    }
  }
  // The last 3 records of every WAL (each holds at least 5) had 5 zeroings each, and some sampled ranges were not already zero.
  t.is(tails, 5 * 3 * wals.length)
  t.true(cases >= wals.length, `${cases} sampled ranges`)
  t.is(allowedOutcomes(bench.tally) - before, cases + tails)
})

test.serial('garbage or a partial record appended to a WAL is a torn tail, never an error', async (t) => {
  t.is(wals.length, pristine.shards)
  const tornBefore = bench.tally.torn
  let cases = 0
  for (const rel of wals) {
    const buf = pristine.files.get(rel)!
    const records = parseWal(buf, rel).records
    const last = buf.subarray(records.at(-1)!.ofs)
    const tails: Array<[string, Buffer]> = [
      ['3 bytes of a record header', Buffer.from([1, 2, 3])],
      ['a record header promising more than the file holds', Buffer.from([0xde, 0xad, 0xbe, 0xef, 0xff, 0x00, 0x00, 0x00, 0x01, 0x05])],
      ['the first half of a copy of the last record', last.subarray(0, Math.floor(last.length / 2))],
      ['a zero-filled page', Buffer.alloc(512)],
    ]
    for (const [label, tail] of tails) {
      const damaged = Buffer.concat([buf, tail])
      await bench.judge(t, rel, {type: 'bytes', buf: damaged, start: buf.length, end: damaged.length}, `appended ${label}`)
      cases++
    }
  }
  // Four tails on every WAL, each a torn tail.
  t.is(cases, 4 * wals.length)
  t.is(bench.tally.torn - tornBefore, cases)
})

test.serial('a deleted WAL is reported at the manifest that names it', async (t) => {
  const before = bench.tally.detected
  for (const rel of wals) await bench.judge(t, rel, {type: 'delete'}, 'deleted')
  t.is(bench.tally.detected - before, wals.length)
  t.log(`outcomes so far: ${JSON.stringify(bench.tally)}`)
})
