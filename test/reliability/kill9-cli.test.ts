/**
 * kill -9 loop on the real CLI (RocksDB's db_crashtest in the small): each
 * cycle starts two or three `strata` processes at once on one data
 * directory — `put`, `put --batch` (small chunks), `delete` of several keys,
 * `compact` — contending for the writer lock, and SIGKILLs each at a random
 * moment (some finish first). After every cycle:
 *   - every process that was not killed exited 0 (no failed open, no busy);
 *   - the store opens (read-only, and then as the writer);
 *   - every acknowledged write (a process that exited 0) is there;
 *   - a killed process left, per shard, a prefix of its writes, cut at a
 *     chunk boundary for `put --batch` (a chunk's part in one shard is one
 *     atomic write), and all-or-nothing per shard for `delete`;
 *   - `verify` finds no error (the library's verifyStore every cycle, the
 *     `strata verify --format json` command every 10th cycle and at the end).
 * Kill moments are drawn over the lifetimes measured so far, so most kills
 * land while the store is open.
 *
 * STRATA_KILL_CYCLES sets the number of cycles (default 100).
 */
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {spawn} from 'node:child_process'
import {open} from '../../src/index.js'
import {shardOf} from '../../src/util/hash.js'
import {cliEnv, runJs, strata} from '../helpers/cli.js'
import {tempDir} from '../helpers/temp.js'
import {envCount, printSeedOnFailure, reproduce, Rng, seedFor} from './lib/seed.js'
import {Failures, describeError, verifyProblem} from './lib/stores.js'

const CYCLES = envCount('STRATA_KILL_CYCLES', 100)
const SHARDS = 3
const BATCH_SIZE = 5

interface ChildResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stderr: string
  readonly ms: number
}

/** When to kill a child: never, a fixed time after its start, or a time after the store's files first change. */
type KillPlan = {readonly at: 'never'} | {readonly at: 'start'; readonly ms: number} | {readonly at: 'activity'; readonly ms: number}

/**
 * Watches the shard directories (inotify): `onActivity` fires once a WAL has
 * grown past its size when watching began — a child is applying writes.
 */
function watchActivity(dir: string, onActivity: () => void): () => void {
  const shardDirs = fs.readdirSync(dir).filter((n) => n.startsWith('shard-')).map((n) => path.join(dir, n))
  const walSizes = (): Map<string, number> => {
    const out = new Map<string, number>()
    for (const d of shardDirs) {
      for (const n of fs.readdirSync(d)) {
        if (!n.endsWith('.wal')) continue
        try {
          out.set(path.join(d, n), fs.statSync(path.join(d, n)).size)
        } catch {
          // Removed by a flush in the meantime.
        }
      }
    }
    return out
  }
  const baseline = walSizes()
  let fired = false
  const check = (): void => {
    if (fired) return
    for (const [p, size] of walSizes()) {
      if (size > (baseline.get(p) ?? Infinity)) {
        fired = true
        onActivity()
        return
      }
    }
  }
  const watchers = shardDirs.map((d) => fs.watch(d, check))
  return () => watchers.forEach((w) => w.close())
}

function runChild(args: string[], plan: KillPlan, activity: Promise<void>): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now()
    const child = spawn(process.execPath, [runJs, ...args], {env: cliEnv(), stdio: ['ignore', 'ignore', 'pipe']})
    let stderr = ''
    let done = false
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d))
    let timer: NodeJS.Timeout | undefined
    const kill = (): void => void (done || child.kill('SIGKILL'))
    if (plan.at === 'start') timer = setTimeout(kill, plan.ms)
    else if (plan.at === 'activity') void activity.then(() => (timer = setTimeout(kill, plan.ms)))
    child.on('error', reject)
    child.on('close', (code, signal) => {
      done = true
      if (timer) clearTimeout(timer)
      resolve({code, signal, stderr, ms: Date.now() - started})
    })
  })
}

/** One child's job and what it writes, in order. */
type Job =
  | {readonly kind: 'put'; readonly key: string; readonly value: string}
  | {readonly kind: 'batch'; readonly lines: ReadonlyArray<{readonly key: string; readonly value: string}>; readonly file: string}
  | {readonly kind: 'delete'; readonly keys: readonly string[]}
  | {readonly kind: 'compact'}

function argsOf(job: Job, dir: string): string[] {
  const common = ['--dir', dir, '--lock-timeout', '60s']
  switch (job.kind) {
    case 'put':
      return ['put', ...common, '--', job.key, job.value]
    case 'batch':
      return ['put', ...common, '--batch', job.file, '--batch-size', String(BATCH_SIZE)]
    case 'delete':
      return ['delete', ...common, '--', ...job.keys]
    case 'compact':
      return ['compact', ...common]
  }
}

const shard = (key: string): number => shardOf(Buffer.from(key), SHARDS)

/** Why the recovered values of a killed job's keys are not allowed, or undefined. */
function killedJobProblem(job: Job, before: ReadonlyMap<string, string>, read: (key: string) => string | undefined): string | undefined {
  if (job.kind === 'put') {
    const got = read(job.key)
    return got === job.value || got === before.get(job.key) ? undefined : `killed put: ${job.key} is ${got}`
  }
  if (job.kind === 'delete') {
    for (let s = 0; s < SHARDS; s++) {
      const keys = job.keys.filter((k) => shard(k) === s)
      const gone = keys.filter((k) => read(k) === undefined).length
      if (gone !== 0 && gone !== keys.length) return `killed delete: shard ${s} has ${gone} of its ${keys.length} keys deleted`
      if (gone === 0 && keys.some((k) => read(k) !== before.get(k))) return `killed delete: shard ${s} keys changed value`
    }
    return undefined
  }
  if (job.kind === 'batch') {
    for (let s = 0; s < SHARDS; s++) {
      const mine = job.lines.map((l, i) => ({...l, chunk: Math.floor(i / BATCH_SIZE)})).filter((l) => shard(l.key) === s)
      const applied = mine.map((l) => read(l.key) === l.value)
      const n = applied.indexOf(false) < 0 ? applied.length : applied.indexOf(false)
      if (applied.slice(n).some(Boolean)) return `killed batch: shard ${s} has line(s) applied after an unapplied one (a hole)`
      if (n > 0 && n < mine.length && mine[n - 1].chunk === mine[n].chunk) return `killed batch: shard ${s} has chunk ${mine[n].chunk} half applied`
      for (const l of mine.slice(n)) if (read(l.key) !== undefined) return `killed batch: ${l.key} unapplied yet present`
    }
  }
  return undefined
}

/** The loop's state, carried from one chunk of cycles (one serial test) to the next. */
interface LoopState {
  readonly rng: Rng
  readonly base: string
  readonly dir: string
  readonly model: Map<string, string>
  readonly stats: {processes: number; acked: number; killed: number; killedMidWrite: number; killedWhileWriting: number; cliVerifies: number}
  lifetime: number
  cycle: number
}

let loop: LoopState | undefined

function loopState(): LoopState {
  if (loop !== undefined) return loop
  const base = tempDir('strata-kill9-')
  const dir = path.join(base, 'db')
  const init = strata(['init', '--dir', dir, '--shards', String(SHARDS)])
  if (init.code !== 0) throw new Error(`strata init failed: ${init.stderr}`)
  loop = {
    rng: new Rng(seedFor('kill9')),
    base,
    dir,
    model: new Map(),
    stats: {processes: 0, acked: 0, killed: 0, killedMidWrite: 0, killedWhileWriting: 0, cliVerifies: 0},
    lifetime: 1500,
    cycle: 0,
  }
  return loop
}

/** Runs cycles until `end`; failures go to `failures`. */
async function runCycles(end: number, failures: Failures): Promise<void> {
  const st = loopState()
  const {rng, base, dir, model, stats} = st
  let lifetime = st.lifetime
  for (; st.cycle < end; st.cycle++) {
    const cycle = st.cycle
    const jobs: Job[] = []
    const kinds = rng.chance(0.5) ? ['batch', rng.pick(['put', 'delete', 'compact'])] : ['batch', 'put', rng.pick(['delete', 'compact'])]
    for (const [p, kind] of kinds.entries()) {
      const ns = `c${cycle}p${p}`
      if (kind === 'put') jobs.push({kind, key: `${ns}:single`, value: `v${cycle}-${'x'.repeat(rng.int(1500))}`})
      else if (kind === 'batch') {
        const lines = Array.from({length: rng.range(60, 500)}, (_, i) => ({key: `${ns}:${String(i).padStart(4, '0')}`, value: `b${cycle}.${i}.${'y'.repeat(rng.int(200))}`}))
        const file = path.join(base, `${ns}.ndjson`)
        fs.writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n')
        jobs.push({kind, lines, file})
      } else if (kind === 'delete') {
        const live = [...model.keys()]
        if (live.length < 4) continue
        jobs.push({kind, keys: [...new Set(Array.from({length: rng.range(2, 6)}, () => rng.pick(live)))]})
      } else {
        jobs.push({kind: 'compact'})
      }
    }
    const before = new Map(model)
    // About a third of the processes get to finish; the others are killed at a random moment of the
    // second half of the lifetime seen so far, or a few milliseconds after the store's files start changing.
    let signal!: () => void
    const activity = new Promise<void>((resolve) => (signal = resolve))
    const stopWatching = watchActivity(dir, () => signal())
    const plans: KillPlan[] = jobs.map(() => {
      const r = rng.next()
      return r < 0.3 ? {at: 'never'} : r < 0.5 ? {at: 'start', ms: Math.floor(lifetime * (0.5 + 0.7 * rng.next()))} : {at: 'activity', ms: rng.int(80)}
    })
    const results = await Promise.all(jobs.map((job, i) => runChild(argsOf(job, dir), plans[i], activity)))
    stopWatching()
    const where = `cycle ${cycle}`
    let read: (key: string) => string | undefined
    let r
    try {
      r = await open(dir, {readOnly: true})
    } catch (err) {
      failures.add(`${where}: the store did not open: ${describeError(err)} — ${reproduce()}`)
      return
    }
    try {
      read = (key) => r.getSync(key)?.value.toString()
      for (const [i, job] of jobs.entries()) {
        const res = results[i]
        stats.processes++
        if (res.signal === 'SIGKILL') {
          stats.killed++
          const problem = killedJobProblem(job, before, read)
          if (problem !== undefined) failures.add(`${where}: ${problem} — ${reproduce()}`)
          const touched = job.kind === 'put' ? [job.key] : job.kind === 'batch' ? job.lines.map((l) => l.key) : job.kind === 'delete' ? job.keys : []
          const landed = touched.filter((k) => read(k) !== before.get(k)).length
          if (landed > 0) stats.killedMidWrite++
          if (plans[i].at === 'activity') stats.killedWhileWriting++
          for (const k of touched) {
            const v = read(k)
            if (v === undefined) model.delete(k)
            else model.set(k, v)
          }
          continue
        }
        if (res.code !== 0) {
          failures.add(`${where}: ${job.kind} exited ${res.code}${res.signal ? ` (${res.signal})` : ''}: ${res.stderr.trim()} — ${reproduce()}`)
          continue
        }
        stats.acked++
        lifetime = Math.round(lifetime * 0.8 + res.ms * 0.2)
        if (job.kind === 'put') model.set(job.key, job.value)
        else if (job.kind === 'batch') for (const l of job.lines) model.set(l.key, l.value)
        else if (job.kind === 'delete') for (const k of job.keys) model.delete(k)
      }
      // Every acknowledged (or settled) write, and nothing else.
      let count = 0
      for (const kv of r.scanSync()) {
        count++
        const k = kv.key.toString()
        if (model.get(k) !== kv.value.toString()) {
          failures.add(`${where}: ${k} reads ${kv.value.toString().slice(0, 20)}…, expected ${model.get(k)?.slice(0, 20)} — ${reproduce()}`)
          break
        }
      }
      if (count !== model.size) failures.add(`${where}: the store holds ${count} keys, the acknowledged writes ${model.size} — ${reproduce()}`)
    } finally {
      await r.close()
    }
    const v = verifyProblem(dir)
    if (v !== undefined) failures.add(`${where}: ${v} — ${reproduce()}`)
    if (cycle % 10 === 9 || cycle === end - 1) {
      const cli = strata(['verify', '--dir', dir, '--format', 'json'])
      stats.cliVerifies++
      let ok = false
      try {
        ok = JSON.parse(cli.stdout).ok === true
      } catch {
        // Not JSON: reported below.
      }
      if (cli.code !== 0 || !ok) failures.add(`${where}: strata verify exited ${cli.code}: ${cli.stdout.slice(0, 300)} ${cli.stderr.trim()}`)
    }
    st.lifetime = lifetime
    if (failures.count > 20) return
  }
}

const CHUNK = 20
const chunks = Math.ceil(CYCLES / CHUNK)
for (let c = 0; c < chunks; c++) {
  const from = c * CHUNK
  const to = Math.min(CYCLES, from + CHUNK)
  // Serial chunks of one loop on one store, so results arrive while it runs.
  test.serial(`kill -9 at random moments of put, put --batch, delete and compact processes loses no acknowledged write (cycles ${from + 1}-${to} of ${CYCLES})`, async (t) => {
    printSeedOnFailure(t, () => `kill cycle ${loop?.cycle ?? from}`)
    const failures = new Failures(8)
    await runCycles(to, failures)
    const st = loopState()
    if (to === CYCLES) {
      // The writer open recovers whatever the last kill left.
      try {
        const w = await open(st.dir)
        await w.put('final', 'ok')
        await w.close()
      } catch (err) {
        failures.add(`the final writer open failed: ${describeError(err)}`)
      }
    }
    const s = st.stats
    t.log(`after ${st.cycle} cycles: ${s.processes} processes, ${s.acked} exited 0, ${s.killed} killed (${s.killedWhileWriting} after the store's WALs started growing, ${s.killedMidWrite} with some of their own writes landed), ${s.cliVerifies} CLI verifies; ${st.model.size} live keys; mean lifetime ${st.lifetime} ms`)
    failures.report(t, 'kill-cycle')
    t.is(st.cycle, to, 'every cycle of the chunk ran')
  })
}
