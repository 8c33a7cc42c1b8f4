/**
 * `kill -9` of real `strata replicate` and `strata restore` processes at
 * random moments, cycle after cycle. After any kill, the next replicate
 * completes (it takes over the dead run's lease), every cut the replica
 * lists restores and verifies, and retention removes what killed runs
 * uploaded without listing. A killed restore never leaves a directory that
 * opens as a store with partial data, and a restore into it again succeeds.
 * Kills are timed at random within the length of a whole run; the test
 * counts how runs ended instead of assuming where a kill landed.
 */
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {spawn} from 'node:child_process'
import {ErrorCode, StrataError, open, restore} from '../../src/index.js'
import {prng} from '../../src/vfs/fault-fs.js'
import {cliEnv, runJs, strata} from '../helpers/cli.js'
import {tempDir} from '../helpers/temp.js'
import {buildStore, cutsOf, digestOf, expectExit, filesBelow, putSome, writeBatches} from './helpers.js'

const CYCLES = Number(process.env.STRATA_REPLICATE_KILL_CYCLES ?? 40)
const RESTORE_CYCLES = Number(process.env.STRATA_RESTORE_KILL_CYCLES ?? 20)

/** Runs the CLI with `args`, sending SIGKILL after `killAfterMs` unless it ended; its exit code (null when killed) and wall time. */
function run(args: string[], killAfterMs = Infinity): Promise<{code: number | null; ms: number}> {
  return new Promise((resolve, reject) => {
    const started = Date.now()
    const child = spawn(process.execPath, [runJs, ...args], {env: cliEnv(), stdio: 'ignore'})
    const timer = Number.isFinite(killAfterMs) ? setTimeout(() => child.kill('SIGKILL'), killAfterMs) : undefined
    child.on('error', reject)
    child.on('exit', (code) => {
      if (timer) clearTimeout(timer)
      resolve({code, ms: Date.now() - started})
    })
  })
}

/** How a run ended, by name. */
const outcome = (code: number | null): string => (code === null ? 'killed' : code === 0 ? 'completed' : `exit ${code}`)

test.serial('replicate killed at random moments: the next run completes, every cut restores and verifies, retention removes orphans', async (t) => {
  t.timeout(600_000)
  const root = tempDir(t)
  const dir = path.join(root, 'db')
  const replica = path.join(root, 'replica')
  await buildStore(dir, 8)
  const random = prng(99)
  const first = await run(['replicate', '--dir', dir, replica])
  t.is(first.code, 0)
  const states = new Set([await digestOf(dir)])
  const counts: Record<string, number> = {}
  let checkedNext = 0
  for (let c = 0; c < CYCLES; c++) {
    if (c % 6 === 5) await writeBatches(dir, `c${c}`, 3, c, 16 * 1024)
    else await putSome(dir, [`c${c}-a`, `c${c}-b`])
    states.add(await digestOf(dir))
    const args = ['replicate', '--dir', dir, replica, ...(c % 3 === 0 ? ['--keep', '1000', '--grace', '0s'] : [])]
    const r = await run(args, random() * first.ms * 1.3)
    counts[outcome(r.code)] = (counts[outcome(r.code)] ?? 0) + 1
    if (c % 5 === 4) {
      // The run after a kill (or a completed run) completes.
      t.is((await run(['replicate', '--dir', dir, replica])).code, 0, `cycle ${c}: the next run completes`)
      checkedNext++
    }
  }
  t.log(`replicate runs: ${JSON.stringify(counts)}`)
  t.is((counts.killed ?? 0) + (counts.completed ?? 0), CYCLES, `every run completed or was killed: ${JSON.stringify(counts)}`)
  t.is(checkedNext, Math.floor(CYCLES / 5))
  expectExit(strata(['replicate', '--dir', dir, replica]), 0, 'the run after the last cycle')
  const final = await digestOf(dir)

  const cuts = cutsOf(replica)
  t.true(cuts.length >= 1 + checkedNext + 1, `${cuts.length} cuts`)
  t.is(cuts.at(-1).digest, final, 'the newest cut is the store as it is now')
  for (const cut of cuts) {
    t.true(states.has(cut.digest), `cut ${cut.id}'s digest is one the source had`)
    const out = path.join(root, `out-${cut.id}`)
    const r = await restore(replica, out, {cut: cut.id})
    t.is(r.digest, cut.digest)
    fs.rmSync(out, {recursive: true})
  }

  // Retention: what no remaining cut lists (the orphans of killed runs included) is gone; what they list is all there.
  const report = JSON.parse(expectExit(strata(['replicate', '--dir', dir, replica, '--keep', '2', '--grace', '0s', '--format', 'json']), 0, 'retention').stdout)
  t.is(report.cuts[0].retention.objectsPending, 0)
  const kept = cutsOf(replica)
  t.is(kept.length, 2)
  const listed = new Set(kept.flatMap((c) => c.objects.map((o: {key: string}) => o.key)))
  t.deepEqual(filesBelow(replica).filter((f) => f.startsWith('data/')), [...listed].sort())
  t.deepEqual(filesBelow(path.join(replica, 'restores')), [], 'no restore lease is left behind')
  t.false(fs.existsSync(path.join(replica, 'LEASE')), 'the lease is released')
  const out = path.join(root, 'out-final')
  expectExit(strata(['restore', replica, '--dir', out]), 0, 'restore after retention')
  t.is(await digestOf(out), final)
})

test.serial('restore killed at random moments never leaves a store with partial data; restoring again succeeds', async (t) => {
  t.timeout(600_000)
  const root = tempDir(t)
  const dir = path.join(root, 'db')
  const replica = path.join(root, 'replica')
  await buildStore(dir, 30)
  expectExit(strata(['replicate', '--dir', dir, replica]), 0, 'replicate')
  const digest = await digestOf(dir)
  const out = path.join(root, 'out')
  const full = await run(['restore', replica, '--dir', out])
  t.is(full.code, 0)
  t.is(await digestOf(out), digest)
  fs.rmSync(out, {recursive: true})
  const random = prng(5)
  const counts: Record<string, number> = {}
  for (let c = 0; c < RESTORE_CYCLES; c++) {
    const r = await run(['restore', replica, '--dir', out], full.ms * (0.3 + random() * 0.9))
    // What OUT is now: absent, a partial directory that does not open, or a whole store with the cut's digest.
    let state: string
    try {
      const s = await open(out, {readOnly: true})
      await s.close()
      t.is(await digestOf(out), digest, `cycle ${c}: a store that opens holds the whole cut`)
      state = 'store'
    } catch (err) {
      t.true(err instanceof StrataError && err.code === ErrorCode.NOT_A_STORE, `cycle ${c}: ${String(err)}`)
      state = fs.existsSync(out) ? 'partial' : 'absent'
    }
    t.true(r.code === null || (r.code === 0 && state === 'store'), `cycle ${c}: exit ${r.code} with OUT ${state}`)
    const key = `${outcome(r.code)}/${state}`
    counts[key] = (counts[key] ?? 0) + 1
    if (state !== 'store') {
      // Restoring again into the same directory clears what the killed run left and succeeds.
      if (c % 4 === 0) expectExit(strata(['restore', replica, '--dir', out]), 0, `cycle ${c}: restore again`)
      else await restore(replica, out)
      t.is(await digestOf(out), digest)
    }
    fs.rmSync(out, {recursive: true})
  }
  t.log(`restore runs: ${JSON.stringify(counts)}`)
  t.is(Object.values(counts).reduce((a, b) => a + b, 0), RESTORE_CYCLES)
})
