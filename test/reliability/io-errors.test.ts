/**
 * I/O-error loop (SQLite's ioerr tests, Pebble's errorfs): each reference
 * workload runs once on a healthy fault filesystem to count its filesystem
 * calls, then once per call k with the k-th call failing — once with EIO,
 * and again with ENOSPC from then on (sticky, the failing append writing
 * half its data first). For every run:
 *   - the operation during which the failed call happened must fail (a
 *     failed I/O is never reported as success); for group commit, every
 *     write waiting on a failed sync must fail;
 *   - fail-stop: once a write has failed, every later write fails too;
 *   - the state left behind, as the process left it and after a power loss,
 *     verifies clean, opens as the writer through a healthy filesystem, holds
 *     every acknowledged write (and each failed one entirely or not at all,
 *     per shard), takes a new write, and verifies clean after close.
 * `exists`/`isDirectory` faults answer false, as node-fs does on an error;
 * they count as fault points, but no operation is required to fail for them.
 */
import test, {type ExecutionContext} from 'ava'
import {createStore, open, ErrorCode, StrataError, type OpenOptions, type Store} from '../../src/index.js'
import {FaultFileSystem, type FaultSpec, type FiredFault} from '../../src/vfs/fault-fs.js'
import {envCount, printSeedOnFailure, reproduce, Rng, seedFor} from './lib/seed.js'
import {Failures, describeError, memRoot, verifyProblem} from './lib/stores.js'
import {contentsOf, execute, sameContents, keyPool, mutationsOf, prefixViolation, randomOp, type Contents, type Mutation, type WorkOp} from './lib/workload.js'

const SCALE = envCount('STRATA_IO_OPS', 1)
const T0 = 1_700_000_000_000

/** One step of a reference workload. */
type Step =
  | {readonly kind: 'init'; readonly shards: number}
  | {readonly kind: 'open'}
  | {readonly kind: 'close'}
  | {readonly kind: 'op'; readonly op: WorkOp}
  | {readonly kind: 'group'; readonly ops: readonly WorkOp[]}
  | {readonly kind: 'get'; readonly key: Buffer}
  | {readonly kind: 'scan'}

interface Workload {
  readonly name: string
  readonly shards: number
  readonly options: Omit<OpenOptions, 'fs' | 'now'>
  /** Builds the starting state (not counted, no faults). */
  prepare(fs: FaultFileSystem, dir: string): Promise<void>
  readonly steps: readonly Step[]
}

/** What one operation did. */
interface Outcome {
  readonly label: string
  readonly write: boolean
  /** Index of the step (operations of a group share it). */
  readonly step: number
  /** Mutations, for writes. */
  readonly mutations: readonly Mutation[]
  /** Filesystem call counter when it started and when it settled. */
  readonly from: number
  to: number
  error?: unknown
  /** A member of a group of concurrent writes. */
  readonly group: boolean
  /** Not attempted: the store was not open (an earlier open failed). */
  skipped?: boolean
  /** The open session (store handle) it ran in. */
  readonly session: number
}

async function initStore(fs: FaultFileSystem, dir: string, shards: number): Promise<void> {
  const root = dir.slice(0, dir.lastIndexOf('/'))
  fs.mkdir(root)
  fs.syncDir('/')
  await createStore(dir, {fs, shards})
  fs.syncDir(root)
}

function writesWorkload(): Workload {
  const rng = new Rng(seedFor('io-writes'))
  const keys = keyPool(rng, 14)
  const steps: Step[] = [{kind: 'open'}]
  const n = 26 * SCALE
  for (let i = 0; i < n; i++) {
    const op = randomOp(rng, keys, `io${i}`, {maintenance: false})
    steps.push({kind: 'op', op})
    if (i % 7 === 3) steps.push({kind: 'get', key: rng.pick(keys)})
    if (i === 9) steps.push({kind: 'op', op: {type: 'flush'}})
    if (i === 15) steps.push({kind: 'scan'})
    if (i === 18) steps.push({kind: 'close'}, {kind: 'open'})
    if (i === 21) steps.push({kind: 'op', op: {type: 'compact'}})
  }
  steps.push({kind: 'get', key: keys[0]}, {kind: 'close'})
  return {
    name: 'writes: puts, deletes, batches, TTL, flush, compaction, reopen (sync always)',
    shards: 3,
    options: {sync: 'always', walFlushBytes: 900, compactionTrigger: 2, levelBaseBytes: 4096},
    prepare: (fs, dir) => initStore(fs, dir, 3),
    steps,
  }
}

function recoveryWorkload(): Workload {
  const rng = new Rng(seedFor('io-recovery'))
  const keys = keyPool(rng, 20)
  return {
    name: 'recovery: torn WAL tails and orphan files, then writes and a compaction (sync none)',
    shards: 2,
    options: {sync: 'none', walFlushBytes: 1500, compactionTrigger: 3, levelBaseBytes: 4096},
    async prepare(fs, dir) {
      await initStore(fs, dir, 2)
      const s = await open(dir, {fs, sync: 'none', walFlushBytes: 1500, compactionTrigger: 3, now: () => T0})
      for (let i = 0; i < 30; i++) await execute(s, randomOp(rng, keys, `pre${i}`, {maintenance: false}))
      await s.flush()
      for (let i = 0; i < 8; i++) await execute(s, randomOp(rng, keys, `pre2-${i}`, {maintenance: false}))
      // A writer that died mid-append: half a record at the end of each WAL.
      await s.close()
      for (const [path, bytes] of fs.listFiles(dir)) {
        if (path.endsWith('.wal')) fs.writeFileDurable(path, Buffer.concat([bytes, Buffer.from([0x12, 0x34, 0x56, 0x78, 0x40, 0, 0])]))
      }
      fs.writeFileDurable(`${dir}/shard-0000/999999.sst`, Buffer.from('an orphan table a crashed compaction left'))
      fs.writeFileDurable(`${dir}/shard-0001/CURRENT.tmp`, Buffer.from('MANIFEST-0000'))
    },
    steps: [
      {kind: 'open'},
      {kind: 'get', key: keys[1]},
      {kind: 'op', op: {type: 'put', key: keys[2], value: Buffer.from('after recovery')}},
      {kind: 'op', op: randomOp(rng, keys, 'r1', {maintenance: false})},
      {kind: 'op', op: {type: 'batch', ops: keys.slice(0, 6).map((key, i) => ({type: 'put' as const, key, value: Buffer.from(`b${i}`)}))}},
      {kind: 'op', op: {type: 'compact'}},
      {kind: 'op', op: randomOp(rng, keys, 'r2', {maintenance: false})},
      {kind: 'close'},
    ],
  }
}

function initWorkload(): Workload {
  return {
    name: 'init: createStore, then a first write',
    shards: 2,
    options: {sync: 'always'},
    async prepare(fs, dir) {
      fs.mkdir(dir.slice(0, dir.lastIndexOf('/')))
      fs.syncDir('/')
    },
    steps: [
      {kind: 'init', shards: 2},
      {kind: 'open'},
      {kind: 'op', op: {type: 'put', key: Buffer.from('first'), value: Buffer.from('write')}},
      {kind: 'close'},
    ],
  }
}

function groupCommitWorkload(): Workload {
  const rng = new Rng(seedFor('io-group'))
  const keys = keyPool(rng, 12)
  const steps: Step[] = [{kind: 'open'}]
  for (let g = 0; g < 6 * SCALE; g++) {
    steps.push({kind: 'group', ops: Array.from({length: rng.range(2, 4)}, (_, i) => randomOp(rng, keys, `g${g}.${i}`, {maintenance: false}))})
    if (g === 3) steps.push({kind: 'op', op: {type: 'flush'}})
  }
  steps.push({kind: 'close'})
  return {
    name: 'group commit: concurrent writes sharing one sync (sync batch)',
    shards: 2,
    options: {sync: 'batch', walFlushBytes: 1200, compactionTrigger: 2},
    prepare: (fs, dir) => initStore(fs, dir, 2),
    steps,
  }
}

const WORKLOADS = [writesWorkload(), recoveryWorkload(), initWorkload(), groupCommitWorkload()]

/**
 * The operation each filesystem call was made for, by call number: the one
 * running synchronously, else the ones in flight (several for a group).
 */
type CallOwners = Map<number, Outcome | readonly Outcome[]>

/** Runs the steps; never throws: every failure is an outcome. */
async function run(w: Workload, fs: FaultFileSystem, dir: string, owners: CallOwners = new Map()): Promise<Outcome[]> {
  const outcomes: Outcome[] = []
  let running: Outcome | undefined
  const inFlight = new Set<Outcome>()
  fs.onCall = () => {
    if (running !== undefined) owners.set(fs.calls, running)
    else if (inFlight.size === 1) owners.set(fs.calls, [...inFlight][0])
    else if (inFlight.size > 1) owners.set(fs.calls, [...inFlight])
  }
  let store: Store | undefined
  let session = 0
  const attempt = async (label: string, step: number, write: boolean, mutations: readonly Mutation[], fn: () => Promise<unknown>, group = false): Promise<Outcome> => {
    const o: Outcome = {label, write, step, mutations, from: fs.calls, to: fs.calls, group, session}
    outcomes.push(o)
    inFlight.add(o)
    try {
      running = o
      let promise: Promise<unknown>
      try {
        promise = fn()
      } finally {
        running = undefined
      }
      await promise
    } catch (err) {
      o.error = err
      if (err === NOT_OPEN) o.skipped = true
    }
    inFlight.delete(o)
    o.to = fs.calls
    return o
  }
  const needStore = (): Store => {
    if (store === undefined) throw NOT_OPEN
    return store
  }
  let clock = T0
  for (const [i, step] of w.steps.entries()) {
    const now = (clock = T0 + i * 1000)
    switch (step.kind) {
      case 'init':
        await attempt('createStore', i, true, [], () => createStore(dir, {fs, shards: step.shards}))
        break
      case 'open': {
        session++
        await attempt('open', i, false, [], async () => {
          store = undefined
          store = await open(dir, {fs, ...w.options, now: () => clock})
        })
        break
      }
      case 'close':
        await attempt('close', i, true, [], async () => {
          const s = store
          store = undefined
          if (s) await s.close()
        })
        break
      case 'op':
        await attempt(step.op.type, i, true, mutationsOf(step.op, now), () => execute(needStore(), step.op))
        break
      case 'group': {
        const pending = step.ops.map((op, j) => attempt(`${op.type} (group member ${j})`, i, true, mutationsOf(op, now), () => execute(needStore(), op), true))
        await Promise.all(pending)
        break
      }
      case 'get':
        await attempt('get', i, false, [], async () => needStore().getSync(step.key))
        break
      case 'scan':
        await attempt('scan', i, false, [], async () => [...needStore().scanSync()])
        break
    }
  }
  if (store !== undefined) await (store as Store).close().catch(() => {})
  fs.onCall = undefined
  return outcomes
}

/** Failures caused by BUG-1 (createStore does not sync the directory it creates the store in) start with this. */
const BUG1 = 'BUG-1'

/** Failures caused by BUG-3 (a writer open trusts directory entries — STORE, CURRENT — that are not durable yet) start with this. */
const BUG3 = 'BUG-3'

/** Thrown for an operation that needs the store when it is not open. */
const NOT_OPEN = new StrataError(ErrorCode.CLOSED, 'not attempted: the store is not open')

const isInvalid = (err: unknown): boolean => err instanceof StrataError && err.code === ErrorCode.INVALID_ARGUMENT
const isStopped = (err: unknown): boolean => err instanceof StrataError && err.code === ErrorCode.CLOSED

/** The rule violations of one faulted run, before reopening. */
function runViolations(outcomes: readonly Outcome[], fired: readonly FiredFault[], owners: CallOwners): string[] {
  const problems: string[] = []
  const first = fired[0]
  if (first !== undefined && first.kind !== 'exists' && first.kind !== 'isDirectory') {
    // The operation the failed call was made for must fail. A call made while several
    // writes of a group were in flight (their shared sync, a flush after it) must fail
    // at least one of them; that none of the others acknowledged lost data is checked
    // on the state left behind.
    const o = owners.get(first.call)
    const why = `its ${first.kind} of ${first.path} failed with ${first.code}`
    if (o === undefined) problems.push(`the failed ${first.kind} of ${first.path} ran outside every operation`)
    else if (!Array.isArray(o) && (o as Outcome).error === undefined) problems.push(`${(o as Outcome).label} (step ${(o as Outcome).step}) reported success although ${why}`)
    else if (Array.isArray(o) && o.every((m: Outcome) => m.error === undefined)) problems.push(`every write of group step ${o[0].step} reported success although ${why}`)
  }
  // Fail-stop holds per open store handle: once a write failed, later writes on that handle fail.
  const stopped = new Map<number, Outcome>()
  for (const o of outcomes) {
    if (!o.write || o.skipped || o.label === 'close' || o.label === 'createStore') continue
    const failed = stopped.get(o.session)
    if (failed !== undefined && o.step > failed.step && o.error === undefined) {
      problems.push(`fail-stop: ${o.label} (step ${o.step}) succeeded after ${failed.label} (step ${failed.step}) failed with ${describeError(failed.error)}`)
    }
    if (failed === undefined && o.error !== undefined && !isInvalid(o.error)) stopped.set(o.session, o)
  }
  return problems
}

/** Checks one state left behind (the process's view, or a power-loss image) through a healthy filesystem. */
/** The symptom of BUG-3 in a state left behind. */
const POST_PROBE = 'after reopening, one acknowledged write and a power loss'


/**
 * Checks one state left behind (as the process left it, or after a power
 * loss), through a healthy filesystem: verify, reopen as the writer, the
 * model, a new write, and that a power loss after that write keeps it.
 * `emulateFix` syncs the directories when the writer opens, as the fixes of
 * BUG-1 and BUG-3 would, to tell those bugs from others.
 */
async function checkLeftState(w: Workload, fs: FaultFileSystem, dir: string, outcomes: readonly Outcome[], durableOnly: boolean, initial: Contents, emulateFix = false): Promise<string | undefined> {
  const home = `${memRoot('io-check')}/db`
  const dirGone = !fs.exists(dir)
  if (dirGone) {
    // An init that failed before creating the directory: the next init creates it.
    fs.mkdir(home.slice(0, home.lastIndexOf('/')))
    fs.syncDir('/')
  } else {
    fs.relocate(dir, home)
  }
  const storeExists = fs.exists(`${home}/STORE`)
  if (!storeExists) {
    // Only init can leave no store; it must be restartable.
    const init = outcomes.find((o) => o.label === 'createStore')
    if (init?.error === undefined) {
      return `${BUG1}: the store createStore acknowledged is gone (${dirGone ? 'its directory is missing' : 'its STORE is missing'})`
    }
    const acked = outcomes.filter((o) => o.write && o.mutations.length > 0 && o.error === undefined)
    if (acked.length > 0) {
      return `${BUG3}: createStore failed (${describeError(init.error)}), yet open() accepted the store and acknowledged ${acked.length} write(s); a power loss then erased the store (its STORE had never been made durable)`
    }
    try {
      await createStore(home, {fs, shards: w.shards})
    } catch (err) {
      return `init after a failed init failed: ${describeError(err)}`
    }
  }
  const raw = verifyProblem(home, fs)
  if (raw !== undefined) return `before reopening: ${raw}`
  // Model: acknowledged writes, plus failed ones (each may or may not have landed);
  // writes refused because the store had stopped never landed.
  const history: Mutation[][] = []
  const optional = new Set<number>()
  const failedSessions = new Set<number>()
  let floorOps = 0
  for (const o of outcomes) {
    if (!o.write || o.skipped) continue
    if (o.error !== undefined && (isStopped(o.error) || isInvalid(o.error))) continue
    const syncPoint = ['flush', 'compact', 'close'].includes(o.label)
    if (o.mutations.length === 0 && !syncPoint) continue
    history.push([...o.mutations])
    if (o.error !== undefined) {
      optional.add(history.length - 1)
      failedSessions.add(o.session)
      continue
    }
    // With sync 'none' a power loss keeps what the last flush, compaction or
    // clean close synced; otherwise every acknowledged write stays.
    if (!(durableOnly && w.options.sync === 'none') || (syncPoint && !failedSessions.has(o.session))) floorOps = history.length
  }
  const now = T0 + w.steps.length * 1000
  let got: Contents
  try {
    const s = await open(home, {fs, sync: 'always', now: () => now})
    try {
      if (emulateFix) {
        // What the proposed fixes of BUG-1 and BUG-3 do: make the store's directory, its
        // entries and its shards' entries durable before a writer acknowledges anything.
        fs.syncDir(home.slice(0, home.lastIndexOf('/')))
        fs.syncDir(home)
        for (const name of fs.readdir(home)) if (name.startsWith('shard-')) fs.syncDir(`${home}/${name}`)
      }
      got = contentsOf(s)
      const v = prefixViolation(got, {ops: history, floorOps, shards: w.shards, now, initial, optional})
      if (v !== undefined) return v
      await s.put('probe:after-fault', 'p')
    } finally {
      await s.close()
    }
    const r = await open(home, {fs, readOnly: true, now: () => now})
    const probe = r.getSync('probe:after-fault')?.value.toString()
    await r.close()
    if (probe !== 'p') return 'a write after reopening did not read back'
  } catch (err) {
    return `reopen through a healthy filesystem failed: ${describeError(err)}`
  }
  // The new session's acknowledged write, and what it started from, survive a power loss.
  got.set(Buffer.from('probe:after-fault').toString('hex'), {value: Buffer.from('p')})
  try {
    const crashed = fs.crashImage({mode: 'drop'})
    const r = await open(home, {fs: crashed, readOnly: true, now: () => now})
    const final = contentsOf(r)
    await r.close()
    if (!sameContents(final, got)) return `${POST_PROBE}: the contents changed (${final.size} keys, expected ${got.size}${final.has(Buffer.from('probe:after-fault').toString('hex')) ? '' : '; the acknowledged write is gone'})`
  } catch (err) {
    return `${POST_PROBE}: the store does not open: ${describeError(err)}`
  }
  const after = verifyProblem(home, fs)
  return after === undefined ? undefined : `after reopening: ${after}`
}

/** The live contents of the prepared state (what the workload starts from), read on a copy. */
async function initialContents(base: FaultFileSystem, dir: string): Promise<Contents> {
  const fs = base.snapshot()
  if (!fs.exists(`${dir}/STORE`)) return new Map()
  const home = `${memRoot('io-initial')}/db`
  fs.relocate(dir, home)
  const s = await open(home, {fs, readOnly: true, now: () => T0})
  try {
    return contentsOf(s)
  } finally {
    await s.close()
  }
}

/** The outcomes in one line, for failure messages. */
function summary(outcomes: readonly Outcome[]): string {
  return outcomes.map((o) => `${o.label}${o.skipped ? ' (skipped)' : o.error === undefined ? ' ok' : ` ERR ${(o.error as {code?: string}).code ?? '?'}`}`).join(', ')
}

interface Style {
  readonly name: string
  spec(at: number): FaultSpec
}

const STYLES: readonly Style[] = [
  {name: 'EIO once', spec: (at) => ({at, code: 'EIO'})},
  {name: 'ENOSPC once after a short write', spec: (at) => ({at, code: 'ENOSPC', partialWrite: 0.5})},
  {name: 'EIO from then on', spec: (at) => ({at, code: 'EIO', sticky: true})},
]

interface LoopResult {
  readonly points: number
  readonly calls: number
  readonly healthyFailures: string[]
  readonly failures: Failures
  /** Failures caused by known bugs, by bug id, reported by their own tests. */
  readonly bugs: Map<string, Failures>
}

async function ioErrorLoop(w: Workload, progress: {current: string}): Promise<LoopResult> {
  const base = new FaultFileSystem()
  const dir = `${memRoot('io')}/db`
  await w.prepare(base, dir)
  const initial = await initialContents(base, dir)
  // The healthy run: every step succeeds, and the number of calls to enumerate.
  const probe = base.snapshot()
  const start = probe.calls
  const healthy = await run(w, probe, dir)
  const total = probe.calls - start
  const healthyFailures = healthy.filter((o) => o.error !== undefined).map((o) => `healthy run: ${o.label} failed: ${describeError(o.error)}`)
  const failures = new Failures(6)
  const bugs = new Map([BUG1, BUG3].map((id) => [id, new Failures(3)]))
  const add = (message: string, problem: string): void => (bugs.get(problem.slice(0, 5)) ?? failures).add(message)
  let points = 0
  for (const style of STYLES) {
    for (let k = 1; k <= total; k++) {
      progress.current = `${w.name}, ${style.name}, call ${k} of ${total}`
      const fs = base.snapshot()
      fs.injectFault(style.spec(k))
      const owners: CallOwners = new Map()
      const outcomes = await run(w, fs, dir, owners)
      points++
      const fired = [...fs.fired]
      if (fired.length === 0) {
        failures.add(`${progress.current}: the fault never fired (the workload is not deterministic)`)
        continue
      }
      const where = `${progress.current} (${fired[0].kind} ${fired[0].path.replace(/^\/strata-[^/]+/, '')})`
      for (const p of runViolations(outcomes, fired, owners)) failures.add(`${where}: ${p}`)
      fs.clearFaults()
      // A failure that the fixes of BUG-1 and BUG-3 would prevent is reported under that bug.
      const classified = async (state: FaultFileSystem, durableOnly: boolean): Promise<string | undefined> => {
        const problem = await checkLeftState(w, state.clone(), dir, outcomes, durableOnly, initial)
        if (!problem?.startsWith(POST_PROBE)) return problem
        if ((await checkLeftState(w, state.clone(), dir, outcomes, durableOnly, initial, true)) !== undefined) return problem
        return `${/no such directory/.test(problem) ? BUG1 : BUG3}: ${problem}`
      }
      const left = await classified(fs, false)
      if (left !== undefined) add(`${where}: as the process left it: ${left} [${summary(outcomes)}]`, left)
      const lost = await classified(fs.crashImage({mode: 'drop', seed: k}), true)
      if (lost !== undefined) add(`${where}: after a power loss: ${lost} [${summary(outcomes)}]`, lost)
    }
  }
  return {points, calls: total, healthyFailures, failures, bugs}
}

const loops = new Map<Workload, {progress: {current: string}; result: Promise<LoopResult>}>()

/** The loop of `w`, run once and shared by the tests that report on it. */
function loopOf(w: Workload): {progress: {current: string}; result: Promise<LoopResult>} {
  let l = loops.get(w)
  if (l === undefined) {
    const progress = {current: ''}
    loops.set(w, (l = {progress, result: ioErrorLoop(w, progress)}))
  }
  return l
}

async function report(t: ExecutionContext, w: Workload): Promise<void> {
  const {progress, result} = loopOf(w)
  printSeedOnFailure(t, () => progress.current)
  const r = await result
  t.log(`${r.calls} filesystem calls × ${STYLES.length} fault styles = ${r.points} I/O-error points`)
  for (const f of r.healthyFailures) t.fail(f)
  r.failures.report(t, `I/O-error point (${reproduce()})`)
  // Every call of the healthy run was a fault point, in every style.
  t.true(r.calls > 0, 'the workload made filesystem calls')
  t.is(r.points, r.calls * STYLES.length)
}

for (const w of WORKLOADS) {
  test(`I/O errors at every call of workload "${w.name}": no failure reported as success, fail-stop, reopen and verify clean`, (t) => report(t, w))
}

const INIT = WORKLOADS.find((w) => w.name.startsWith('init'))!

test('BUG-1: a store createStore acknowledged survives a power loss (init under I/O errors)', async (t) => {
  const r = await loopOf(INIT).result
  r.bugs.get(BUG1)!.report(t, BUG1)
  t.true(r.points > 0, 'I/O-error points were checked')
})

for (const w of WORKLOADS) {
  test(`BUG-3: after a failed write, no later write is acknowledged that a power loss can erase (workload "${w.name.replace(/:.*/, '')}")`, async (t) => {
    const r = await loopOf(w).result
    r.bugs.get(BUG3)!.report(t, BUG3)
    t.true(r.points > 0, 'I/O-error points were checked')
  })
}
