/**
 * `kill -9` of a real `strata shard-rebalance` at random moments, cycle after
 * cycle, to shard counts that alternate so that every cycle moves keys.
 * After each kill the store opens, `verify` is clean and the digest is the
 * original one (the old generation before the commit point, the new one
 * after it); `--resume` then finishes and the digest is still the same. One
 * unfinished run is thrown away with `--abort`. Kills are timed from what the
 * test observes (a new entry in the data directory, STORE's generation), and
 * the test counts where they landed instead of assuming it.
 */
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {spawn} from 'node:child_process'
import {createStore, digestStore, open, verifyStore} from '../../src/index.js'
import {prng} from '../../src/vfs/fault-fs.js'
import {cliEnv, runJs, strata, strataAsync, type CliResult} from '../helpers/cli.js'
import {tempDir} from '../helpers/temp.js'
import {DIGEST_AT, digestOf, entriesOf, expectExit, rebalanceArgs, storeState, verifyOf, type DigestDoc} from './cli-support.js'
import {finishedEntries, hasJournal} from './cli-layout.js'

const CYCLES = Number(process.env.STRATA_REBALANCE_KILL_CYCLES ?? 60)

/** When to send SIGKILL: `ms` after the run is first seen working, `ms` after spawn, or as soon as a point is observed. */
type Kill = {afterWorkMs: number} | {afterSpawnMs: number} | {at: 'journal' | 'commit'}

/** How a run went: its exit code (null when killed), and how long it worked (first change seen → exit), in ms. */
interface Run {
  readonly code: number | null
  readonly workMs: number
}

/**
 * Runs `strata shard-rebalance --dir dir --shards m`, killing it as `kill`
 * says. "Working" is first seen when the data directory gains an entry (the
 * journal, a folder of the new generation) or STORE's generation changes.
 */
function runRebalance(dir: string, m: number, kill?: Kill): Promise<Run> {
  return new Promise((resolve, reject) => {
    const initial = entriesOf(dir).join('\n')
    const generation = storeState(dir).generation
    const child = spawn(process.execPath, [runJs, ...rebalanceArgs(dir, m)], {env: cliEnv(), stdio: 'ignore'})
    let workingAt: number | undefined
    let timer: NodeJS.Timeout | undefined
    const killNow = (): void => {
      child.kill('SIGKILL')
    }
    if (kill && 'afterSpawnMs' in kill) timer = setTimeout(killNow, kill.afterSpawnMs)
    const poll = setInterval(() => {
      let committed = false
      try {
        committed = storeState(dir).generation !== generation
      } catch {
        // STORE is replaced by a rename: a reader sees the old file or the new one; anything else is for the checks after the run.
      }
      if (workingAt === undefined && (committed || entriesOf(dir).join('\n') !== initial)) {
        workingAt = Date.now()
        if (kill && 'afterWorkMs' in kill) timer = setTimeout(killNow, kill.afterWorkMs)
      }
      if (kill && 'at' in kill && (kill.at === 'commit' ? committed : hasJournal(dir))) killNow()
    }, 1)
    child.on('error', reject)
    child.on('exit', (code) => {
      clearInterval(poll)
      if (timer) clearTimeout(timer)
      resolve({code, workMs: workingAt === undefined ? 0 : Date.now() - workingAt})
    })
  })
}

/** A store of a few MB in many tables (and a WAL): values that do not compress, TTLs, JSON values, binary keys. */
async function buildStore(dir: string): Promise<void> {
  await createStore(dir, {shards: 4})
  const s = await open(dir, {walFlushBytes: 48 * 1024, compactionTrigger: 1000})
  const random = prng(11)
  const noise = (n: number): string => Array.from({length: n}, () => Math.floor(random() * 16).toString(16)).join('')
  for (let b = 0; b < 60; b++) {
    await s.batch(Array.from({length: 50}, (_, i) => {
      const n = b * 50 + i
      const key = n % 25 === 0 ? Buffer.from([0xfe, n & 0xff, n >> 8, 0x00]) : `k${String((n * 13) % 2800).padStart(5, '0')}`
      if (n % 37 === 36) return {type: 'del' as const, key}
      if (n % 13 === 0) return {type: 'put' as const, key, value: `{"n":${n},"pad":"${noise(300)}"}`, json: true}
      return {type: 'put' as const, key, value: `v${n}.${noise(800 + (n % 400))}`, ...(n % 11 === 0 ? {ttlMs: 86_400_000} : {})}
    }))
  }
  await s.put('in-the-wal', 'not flushed')
  await s.close()
}

/** NDJSON lines that put again, with the same values, keys the store already holds: WAL records that change no digest. */
function rewriteLines(dir: string): string {
  // scan's NDJSON lines are put --batch lines as they are (value, JSON flag and expiry included).
  return expectExit(strata(['scan', '--dir', dir, '--prefix', 'k000', '--format', 'ndjson']), 0, 'scan').stdout
}

/** The digest of the store at DIGEST_AT, computed in this process. */
async function libraryDigest(dir: string): Promise<{digest: string; records: number}> {
  const d = await digestStore(dir, {at: Number(DIGEST_AT)})
  return {digest: d.digest, records: d.records}
}

/** The next target: the first of a fixed rotation that differs from the current count. */
const ROTATION = [7, 3, 8, 5, 2, 6, 9, 4]
const nextTarget = (cycle: number, current: number): number => {
  for (let i = 0; ; i++) {
    const m = ROTATION[(cycle + i) % ROTATION.length]
    if (m !== current) return m
  }
}

// Serial, and the only test of its file: the kills are timed by polling in this process's event loop.
test.serial(`kill -9 at random moments of shard-rebalance, then --resume: the digest never changes (${CYCLES} cycles)`, async (t) => {
  t.timeout(1_200_000)
  const root = tempDir(t)
  const dir = path.join(root, 'db')
  await buildStore(dir)
  const original: DigestDoc = digestOf(dir)
  t.true(original.records > 2000, `${original.records} records`)
  const tables = (JSON.parse(expectExit(strata(['stats', '--dir', dir, '--format', 'json']), 0, 'stats').stdout) as {shards: Array<{tables: number}>})
    .shards.reduce((a, s) => a + s.tables, 0)
  t.true(tables >= 40, `${tables} tables`)
  const rewrite = path.join(root, 'rewrite.ndjson')
  fs.writeFileSync(rewrite, rewriteLines(dir))
  const sameDigest = (d: {digest: string; records: number}): boolean => d.digest === original.digest && d.records === original.records
  t.true(sameDigest(await libraryDigest(dir)), 'the library and the command agree')

  // A full run, to time how long a rebalance works on this store (seen a few times at most: a busy machine may not look in time).
  let full: Run = {code: null, workMs: 0}
  for (let i = 0; i < 3 && full.workMs === 0; i++) {
    full = await runRebalance(dir, storeState(dir).shards === 4 ? 6 : 4)
    t.is(full.code, 0)
  }
  t.true(full.workMs > 0, 'one of three full runs was seen working')
  t.true(sameDigest(digestOf(dir)))

  const random = prng(20261129)
  const outcomes = {beforeCommit: 0, afterCommit: 0, finished: 0}
  let resumes = 0
  let reruns = 0
  let aborted = 0
  let commitKills = 0
  for (let c = 0; c < CYCLES; c++) {
    const from = storeState(dir)
    const m = nextTarget(c, from.shards)
    if (c % 3 === 0) expectExit(strata(['put', '--dir', dir, '--batch', rewrite]), 0, 'rewrite')
    const entriesBefore = entriesOf(dir)
    // The abort cycle kills as soon as the journal exists, until one such kill lands before the commit.
    const abortCycle = aborted === 0 && c >= 5
    const kill: Kill = abortCycle ? {at: 'journal'}
      : c % 6 === 5 ? {at: 'commit'}
      : c % 6 === 2 ? {afterSpawnMs: Math.floor(random() * 600)}
      : {afterWorkMs: Math.floor(full.workMs * 1.2 * random())}
    if ('at' in kill && kill.at === 'commit') commitKills++
    const run = await runRebalance(dir, m, kill)
    const after = storeState(dir)

    // Whatever the kill left opens (a real `get`), verifies clean and holds exactly the original data.
    // Digest and verify run in this process: the same code as the commands, without two more Node start-ups per cycle.
    const get = await strataAsync(['get', '--dir', dir, 'in-the-wal'])
    t.is(get.code, 0, `cycle ${c}: get: ${get.stderr}`)
    const digest = await libraryDigest(dir)
    t.true(sameDigest(digest), `cycle ${c}: digest ${JSON.stringify(digest)} after a kill (exit ${run.code})`)
    t.is(verifyStore(dir).summary.errors, 0, `cycle ${c}: verify`)

    if (run.code === 0) outcomes.finished++
    else if (after.generation === from.generation) outcomes.beforeCommit++
    else outcomes.afterCommit++
    t.true(run.code === 0 || run.code === null, `cycle ${c}: exit ${run.code}`)
    if (after.generation === from.generation) t.is(after.shards, from.shards, `cycle ${c}: STORE's count changed without its generation`)
    else t.deepEqual(after, {shards: m, generation: from.generation + 1}, `cycle ${c}`)

    if (abortCycle && run.code === null && after.generation === from.generation && hasJournal(dir)) {
      const r = strata(['shard-rebalance', '--dir', dir, '--abort', '--format', 'json'])
      t.is(r.code, 0, `cycle ${c}: --abort: ${r.stderr}`)
      t.deepEqual(storeState(dir), from, 'the abort kept the old generation')
      t.deepEqual(entriesOf(dir), entriesBefore, 'the abort left no folder of the new generation and no journal')
      t.true(sameDigest(digestOf(dir)))
      const v = verifyOf(dir)
      t.is(v.code, 0)
      t.is(v.warnings, 0, 'nothing left for verify to warn about')
      aborted++
      continue
    }
    let finish: CliResult | undefined
    if (run.code !== 0 && hasJournal(dir)) {
      // Either way finishes it: --resume, or the same command again (every other time).
      finish = strata(resumes % 2 === 0 ? ['shard-rebalance', '--dir', dir, '--resume', '--format', 'json'] : rebalanceArgs(dir, m))
      resumes++
    } else if (run.code !== 0 && after.generation === from.generation) {
      // Killed before it wrote its journal: nothing to resume, the same command starts over.
      finish = strata(rebalanceArgs(dir, m))
      reruns++
    }
    if (finish !== undefined) t.is(finish.code, 0, `cycle ${c}: finishing after a kill: ${finish.stderr}`)
    t.deepEqual(storeState(dir), {shards: m, generation: from.generation + 1}, `cycle ${c}: finished`)
    t.deepEqual(entriesOf(dir), finishedEntries(m, from.generation + 1), `cycle ${c}: the old generation and the journal are gone`)
    t.true(sameDigest(await libraryDigest(dir)), `cycle ${c}: digest after finishing`)
  }
  t.log(`${tables} tables, a full run worked ${full.workMs} ms; outcomes ${JSON.stringify(outcomes)}, ${resumes} resumes, ${reruns} re-runs, ${commitKills} kills at the commit`)
  t.is(outcomes.beforeCommit + outcomes.afterCommit + outcomes.finished, CYCLES)
  t.true(resumes > 0, 'at least one kill left a rebalance to resume')
  t.is(aborted, 1, 'one unfinished rebalance was aborted')
  const v = verifyOf(dir)
  t.is(v.code, 0)
  t.is(v.warnings, 0)
  t.true(sameDigest(digestOf(dir)))
})
