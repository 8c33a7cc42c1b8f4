/**
 * Corruption suite, part 1: STORE, CURRENT and manifests. Every byte of
 * these small files gets a single-bit flip; they are also truncated at every
 * length, zeroed in ranges and deleted. Each damaged store must be reported
 * by verify at the damaged file and offset, or be provably harmless; the
 * engine never returns a wrong value. See damage.ts for the outcomes.
 */
import test from 'ava'
import {allowedOutcomes, Bench, flipped, kindOf, preparePristine, sampleOffsets, zeroed, type Pristine} from './damage.js'

let pristine: Pristine
let bench: Bench

test.before(async () => {
  pristine = await preparePristine('zlib')
  bench = new Bench(pristine)
})

const filesOf = (kind: ReturnType<typeof kindOf>): string[] => [...pristine.files.keys()].filter((f) => kindOf(f) === kind)

/** The fixture has one STORE, and a CURRENT and at least one manifest per shard. */
const leastFiles = (kind: 'store' | 'current' | 'manifest'): number => (kind === 'store' ? 1 : pristine.shards)

for (const kind of ['store', 'current', 'manifest'] as const) {
  test.serial(`a single-bit flip at any byte of ${kind} is reported at that file`, async (t) => {
    t.true(filesOf(kind).length >= leastFiles(kind), `${filesOf(kind).length} ${kind} files`)
    const before = bench.tally.detected
    for (const rel of filesOf(kind)) {
      const buf = pristine.files.get(rel)!
      for (let at = 0; at < buf.length; at++) await bench.judge(t, rel, {type: 'bytes', buf: flipped(buf, at, at % 8), start: at, end: at + 1}, `bit ${at % 8} of byte ${at} flipped`)
    }
    // A checksum covers every byte of these files: every flip is detected.
    const total = filesOf(kind).reduce((n, f) => n + pristine.files.get(f)!.length, 0)
    t.is(bench.tally.detected - before, total)
  })

  test.serial(`${kind} truncated at every length is reported`, async (t) => {
    t.true(filesOf(kind).length >= leastFiles(kind), `${filesOf(kind).length} ${kind} files`)
    const before = bench.tally.detected
    let cases = 0
    for (const rel of filesOf(kind)) {
      const buf = pristine.files.get(rel)!
      for (let n = 0; n < buf.length; n++, cases++) await bench.judge(t, rel, {type: 'truncate', length: n}, `truncated to ${n} bytes`)
    }
    // Every length of every file was judged, and every cut detected (a checksum covers the whole file).
    t.is(cases, filesOf(kind).reduce((n, f) => n + pristine.files.get(f)!.length, 0))
    t.is(bench.tally.detected - before, cases)
  })

  test.serial(`${kind} with a zeroed range is reported`, async (t) => {
    t.true(filesOf(kind).length >= leastFiles(kind), `${filesOf(kind).length} ${kind} files`)
    const before = allowedOutcomes(bench.tally)
    let cases = 0
    let filesDamaged = 0
    for (const rel of filesOf(kind)) {
      const buf = pristine.files.get(rel)!
      const starts = sampleOffsets(buf.length, 12, buf.length)
      let damaged = 0
      for (const [i, start] of starts.entries()) {
        const end = Math.min(buf.length, start + 1 + (i * 7) % 24)
        if (buf.subarray(start, end).every((b) => b === 0)) continue // already zero: no damage
        await bench.judge(t, rel, {type: 'bytes', buf: zeroed(buf, start, end), start, end}, `bytes ${start}..${end - 1} zeroed`)
        damaged++
      }
      cases += damaged
      if (damaged > 0) filesDamaged++
    }
    // Every file got at least one range that was not already zero, and each case ended in an allowed outcome.
    t.is(filesDamaged, filesOf(kind).length)
    t.is(allowedOutcomes(bench.tally) - before, cases)
  })
}

test.serial('a deleted STORE, CURRENT or manifest is reported at the file that names it (or itself)', async (t) => {
  await bench.judge(t, 'STORE', {type: 'delete'}, 'deleted')
  for (const rel of [...filesOf('current'), ...filesOf('manifest')].filter((f) => f.startsWith('shard-0001/'))) await bench.judge(t, rel, {type: 'delete'}, 'deleted')
  t.is(bench.tally.harmless, 0)
  t.log(`outcomes so far: ${JSON.stringify(bench.tally)}`)
})
