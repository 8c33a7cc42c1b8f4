/**
 * Corruption suite, part 4: a one-shard store with compression none (every
 * data block raw), single-bit flips sampled over every file; and garbage of
 * every kind in place of each file, and many files damaged at once, which
 * must end in findings - never an exception, never a hang.
 */
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {verifyStore} from '../../src/index.js'
import {Bench, flipped, preparePristine, sampleOffsets, type Pristine} from './damage.js'
import {pseudoRandom} from '../helpers/random.js'
import {copyDir, listFiles} from './helpers.js'

let pristine: Pristine
let bench: Bench

test.before(async () => {
  pristine = await preparePristine('none', 1)
  bench = new Bench(pristine)
})

test.serial('single-bit flips sampled over every file of a raw, one-shard store are reported in the damaged record or block', async (t) => {
  let cases = 0
  for (const [i, [rel, buf]] of [...pristine.files].entries()) {
    const offsets = buf.length <= 256 ? [...Array(buf.length).keys()] : sampleOffsets(buf.length, 150, 977 * (i + 1))
    for (const at of offsets) {
      await bench.judge(t, rel, {type: 'bytes', buf: flipped(buf, at, (at * 7) % 8), start: at, end: at + 1}, `bit ${(at * 7) % 8} of byte ${at} flipped`)
      cases++
    }
  }
  t.true(cases >= 600)
  t.is(bench.tally.detected, cases)
  t.log(`outcomes so far: ${JSON.stringify(bench.tally)}`)
})

test.serial('garbage in place of any file ends in findings, never an exception', (t) => {
  const work = path.join(path.dirname(bench.work), 'garbage')
  copyDir(pristine.dir, work)
  const garbage = [
    Buffer.alloc(0), Buffer.alloc(1, 0xff), Buffer.alloc(52), Buffer.alloc(4096, 0x01), pseudoRandom('g1', 37), pseudoRandom('g2', 5000),
    // Plausible headers followed by nonsense.
    Buffer.concat([Buffer.from('STRATAWL'), pseudoRandom('g3', 300)]),
    Buffer.concat([Buffer.from('STRATAMF'), Buffer.from([1, 0, 0, 0]), pseudoRandom('g4', 80)]),
    Buffer.concat([pseudoRandom('g5', 900), Buffer.from('STRATATB')]),
    Buffer.concat([Buffer.from('STRATADS'), Buffer.from([1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]), pseudoRandom('g6', 60)]),
  ]
  for (const rel of [...pristine.files.keys()]) {
    for (const [i, g] of garbage.entries()) {
      fs.writeFileSync(path.join(work, rel), g)
      const started = Date.now()
      const r = verifyStore(work)
      t.true(Date.now() - started < 10_000, `${rel} as garbage ${i} took ${Date.now() - started} ms`)
      t.true(r.summary.errors > 0, `${rel} as garbage ${i}: ${JSON.stringify(r.findings)}`)
      t.false(r.findings.some((f) => /unexpected failure/.test(f.message)), `${rel} as garbage ${i}: ${JSON.stringify(r.findings)}`)
    }
    fs.writeFileSync(path.join(work, rel), pristine.files.get(rel)!)
  }
})

test.serial('many files damaged at once: every damaged file is named', (t) => {
  const work = path.join(path.dirname(bench.work), 'many')
  copyDir(pristine.dir, work)
  const damaged = listFiles(work).filter((f) => f !== 'LOCK' && f !== 'STORE')
  for (const [i, rel] of damaged.entries()) {
    const buf = fs.readFileSync(path.join(work, rel))
    fs.writeFileSync(path.join(work, rel), flipped(buf, (i * 131) % buf.length, i % 8))
  }
  const r = verifyStore(work)
  const named = new Set(r.findings.filter((f) => f.severity === 'error').map((f) => f.file))
  // A damaged CURRENT hides its manifest: the files are then checked on their own.
  for (const rel of damaged.filter((f) => !/MANIFEST-/.test(f))) t.true(named.has(rel), `${rel} is not named: ${JSON.stringify(r.findings)}`)
})
