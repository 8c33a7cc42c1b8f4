/**
 * `strata checkpoint` as a real child process: consistent under concurrent
 * writers (a prefix of each writer's acknowledged writes, with the digest of
 * that prefix), the digest of its source, and safe to kill
 * at any moment (the source unchanged; OUT complete or refused, never partial
 * data; a re-run finishes).
 */
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {spawn} from 'node:child_process'
import {createStore, digestStore, open, verifyStore} from '../../src/index.js'
import {prng} from '../../src/vfs/fault-fs.js'
import {cliEnv, runJs, strata, strataAsync} from '../helpers/cli.js'
import {tempDir} from '../helpers/temp.js'

/** The live records of a store, one JSON line each (key, value, expiry, JSON flag), read through the library. */
async function contents(dir: string): Promise<string[]> {
  const s = await open(dir, {readOnly: true})
  try {
    return [...s.scanSync()].map((kv) => JSON.stringify([kv.key.toString('latin1'), kv.value.toString('latin1'), kv.expiresAt ?? null, kv.json]))
  } finally {
    await s.close()
  }
}

/** key → value of a `strata scan --format ndjson` output. */
function scanMap(stdout: string): Map<string, string> {
  const m = new Map<string, string>()
  for (const line of stdout.split('\n')) {
    if (line === '') continue
    const r = JSON.parse(line) as {key: string; value: string}
    m.set(r.key, r.value)
  }
  return m
}

/** The i-th write of writer `w`: a put of one of 30 keys (overwrites), every 7th a delete. */
function writeOf(w: string, i: number): {key: string; value?: string} {
  const key = `${w}${String((i * 11) % 30).padStart(3, '0')}`
  return i % 7 === 6 ? {key} : {key, value: `${w}-${i}`}
}

/** The store's contents after the first `n` writes of writer `w`. */
function stateAfter(w: string, n: number): Map<string, string> {
  const m = new Map<string, string>()
  for (let i = 0; i < n; i++) {
    const op = writeOf(w, i)
    if (op.value === undefined) m.delete(op.key)
    else m.set(op.key, op.value)
  }
  return m
}

function sameMap(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false
  for (const [k, v] of a) if (b.get(k) !== v) return false
  return true
}

/** The digest at `at` of a new store holding exactly `records`, computed by the library. */
async function digestOf(dir: string, records: Map<string, string>, at: number): Promise<{digest: string; records: number}> {
  await createStore(dir, {shards: 1})
  const s = await open(dir)
  await s.batch([...records].map(([key, value]) => ({type: 'put' as const, key, value})))
  await s.close()
  const d = await digestStore(dir, {at})
  return {digest: d.digest, records: d.records}
}

/** `strata digest --dir dir --at at` as JSON: the digest and record count. */
function cliDigest(dir: string, at: number): {digest: string; records: number} {
  const r = strata(['digest', '--dir', dir, '--at', String(at), '--format', 'json'])
  if (r.code !== 0) throw new Error(`digest of ${dir} exited ${r.code}: ${r.stderr}`)
  const d = JSON.parse(r.stdout) as {digest: string; records: number}
  return {digest: d.digest, records: d.records}
}

test('a checkpoint taken while other processes write holds a prefix of each writer\'s acknowledged writes', async (t) => {
  t.timeout(600_000)
  const root = tempDir()
  const dir = path.join(root, 'db')
  t.is(strata(['init', '--dir', dir, '--shards', '3']).code, 0)
  const writers = ['a', 'b']
  const acked: Record<string, number> = {a: 0, b: 0}
  let stop = false
  const loops = writers.map(async (w) => {
    for (let i = 0; !stop; i++) {
      const op = writeOf(w, i)
      const args = op.value === undefined ? ['delete', '--dir', dir, '--lock-timeout', '60s', op.key] : ['put', '--dir', dir, '--lock-timeout', '60s', op.key, op.value]
      const r = await strataAsync(args)
      // A delete of a key that is not there exits 1 and still writes its tombstone.
      if (r.code !== 0 && !(op.value === undefined && r.code === 1)) throw new Error(`write ${w}${i} exited ${r.code}: ${r.stderr}`)
      acked[w] = i + 1
    }
  })
  while (acked.a < 2 || acked.b < 2) await new Promise((r) => setTimeout(r, 50))
  const at = Date.now() + 86_400_000
  let checked = 0
  let digests = 0
  try {
    for (let c = 0; c < 3; c++) {
      const out = path.join(root, `cp${c}`)
      const before = {...acked}
      const r = await strataAsync(['checkpoint', '--dir', dir, out, '--lock-timeout', '60s', '--format', 'json'])
      const after = {...acked}
      t.is(r.code, 0, r.stderr)
      const report = JSON.parse(r.stdout)
      t.is(report.shards.length, 3)
      t.is(report.out, out)
      const scan = strata(['scan', '--dir', out, '--format', 'ndjson'])
      t.is(scan.code, 0, scan.stderr)
      const got = scanMap(scan.stdout)
      /** Per writer, the number of its writes the checkpoint holds. */
      const held: Record<string, number> = {}
      for (const w of writers) {
        const mine = new Map([...got].filter(([k]) => k.startsWith(w)))
        // Every write acknowledged before the checkpoint started is in it; beyond the
        // writes acknowledged when it ended, at most the one then in flight.
        const prefixes = []
        for (let n = before[w]; n <= after[w] + 1; n++) if (sameMap(mine, stateAfter(w, n))) prefixes.push(n)
        t.true(prefixes.length > 0, `writer ${w}: checkpoint ${c} is no prefix in [${before[w]}, ${after[w] + 1}]: ${JSON.stringify([...mine])}`)
        held[w] = prefixes[0]
        checked++
      }
      // The checkpoint's digest is the digest of the source at the cut: of a store holding those prefixes.
      const atCut = new Map([...stateAfter('a', held.a ?? 0), ...stateAfter('b', held.b ?? 0)])
      const expected = await digestOf(path.join(root, `ref${c}`), atCut, at)
      t.deepEqual(cliDigest(out, at), expected, `checkpoint ${c}`)
      digests++
      const v = verifyStore(out)
      t.is(v.summary.errors, 0)
    }
  } finally {
    stop = true
    await Promise.all(loops)
  }
  t.is(checked, 6)
  t.is(digests, 3)
  t.true(acked.a + acked.b >= 6, `writers acknowledged ${acked.a} + ${acked.b} writes`)
  // The checkpoints' pins are gone with their commands.
  t.false(fs.existsSync(path.join(dir, 'pins')))
})

test('a checkpoint has the digest of its source at one --at, and keeps it while the source changes', async (t) => {
  const root = tempDir()
  const dir = path.join(root, 'db')
  await createStore(dir, {shards: 3})
  const now = Date.now()
  const s = await open(dir, {walFlushBytes: 1024, compactionTrigger: 1000})
  for (let b = 0; b < 20; b++) {
    await s.batch(Array.from({length: 30}, (_, i) => {
      const n = b * 30 + i
      const key = `k${String((n * 17) % 400).padStart(4, '0')}`
      if (n % 11 === 10) return {type: 'del' as const, key}
      // Expiries on both sides of --at, JSON values: both enter a record's digest.
      const expiresAt = n % 9 === 0 ? now + 60_000 : n % 9 === 1 ? now + 7_200_000 : undefined
      return {type: 'put' as const, key, value: n % 5 === 0 ? `{"n":${n}}` : `v${n}`, ...(n % 5 === 0 ? {json: true} : {}), ...(expiresAt === undefined ? {} : {expiresAt})}
    }))
  }
  await s.close()
  // These stay in the WAL: an overwrite, a delete, a new key (a small WAL is not flushed at close).
  const w = await open(dir)
  await w.batch([{type: 'put', key: 'k0017', value: 'in the wal'}, {type: 'del', key: 'k0034'}, {type: 'put', key: 'new', value: '{}', json: true}])
  await w.close()
  const stats = (await open(dir, {readOnly: true}).then(async (r) => [r.stats().totals, await r.close()]))[0] as {tables: number; memtableEntries: number}
  t.true(stats.tables > 0 && stats.memtableEntries > 0, `records in tables and in the WAL: ${JSON.stringify(stats)}`)
  const out = path.join(root, 'cp')
  const r = strata(['checkpoint', '--dir', dir, out])
  t.is(r.code, 0, r.stderr)
  const at = now + 3_600_000
  const source = cliDigest(dir, at)
  t.true(source.records > 100)
  t.deepEqual(cliDigest(out, at), source)
  // Per shard too: a checkpoint keeps the source's shard count.
  const perShard = (d: string): unknown => JSON.parse(strata(['digest', '--dir', d, '--at', String(at), '--format', 'json']).stdout).shards
  t.deepEqual(perShard(out), perShard(dir))
  // The source moves on; the checkpoint does not.
  t.is(strata(['put', '--dir', dir, 'k0001', 'changed']).code, 0)
  t.not(cliDigest(dir, at).digest, source.digest)
  t.deepEqual(cliDigest(out, at), source)
})

test('checkpoint refuses an OUT that holds a store or other files, and a target inside the store', async (t) => {
  const root = tempDir()
  const dir = path.join(root, 'db')
  await createStore(dir, {shards: 1})
  const store2 = path.join(root, 'store2')
  await createStore(store2, {shards: 1})
  const taken = strata(['checkpoint', '--dir', dir, store2, '--format', 'json'])
  t.is(taken.code, 2)
  t.is(JSON.parse(taken.stderr).error.code, 'ALREADY_EXISTS')
  const other = path.join(root, 'other')
  fs.mkdirSync(other)
  fs.writeFileSync(path.join(other, 'notes.txt'), 'mine')
  const busy = strata(['checkpoint', '--dir', dir, other, '--format', 'json'])
  t.is(busy.code, 2)
  t.is(JSON.parse(busy.stderr).error.code, 'INVALID_ARGUMENT')
  t.deepEqual(fs.readdirSync(other), ['notes.txt'])
  for (const target of [dir, path.join(dir, 'cp')]) {
    const inside = strata(['checkpoint', '--dir', dir, target, '--format', 'json'])
    t.is(inside.code, 2)
    t.is(JSON.parse(inside.stderr).error.code, 'INVALID_ARGUMENT')
  }
  t.false(fs.existsSync(path.join(dir, 'cp')))
  const missing = strata(['checkpoint', '--dir', path.join(root, 'nope'), path.join(root, 'cp'), '--format', 'json'])
  t.is(missing.code, 2)
  t.is(JSON.parse(missing.stderr).error.code, 'NOT_A_STORE')
  t.false(fs.existsSync(path.join(root, 'cp')))
})

const CYCLES = Number(process.env.STRATA_CHECKPOINT_KILL_CYCLES ?? 30)

/**
 * Runs `strata checkpoint --copy --dir dir out` (copying every file, so that
 * writing OUT takes long enough for kills to land inside it: hard links alone
 * take a few milliseconds). `kill` says when to send SIGKILL: `afterMs` after
 * OUT appears, or `atCommit` as soon as OUT's STORE (the commit point) is
 * seen. Resolves with its exit code (null when killed) and how long it
 * wrote: from OUT appearing to its STORE appearing, or to its exit if STORE
 * was not seen.
 */
function runCheckpoint(dir: string, out: string, kill?: {afterMs: number} | {atCommit: true}): Promise<{code: number | null; workMs: number}> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [runJs, 'checkpoint', '--copy', '--dir', dir, out], {env: cliEnv(), stdio: 'ignore'})
    let seenAt: number | undefined
    let committedAt: number | undefined
    let timer: NodeJS.Timeout | undefined
    const poll = setInterval(() => {
      if (seenAt === undefined) {
        if (!fs.existsSync(out)) return
        seenAt = Date.now()
        if (kill && 'afterMs' in kill) timer = setTimeout(() => child.kill('SIGKILL'), kill.afterMs)
      }
      if (committedAt === undefined && fs.existsSync(path.join(out, 'STORE'))) {
        committedAt = Date.now()
        if (kill && 'atCommit' in kill) child.kill('SIGKILL')
      }
    }, 1)
    child.on('error', reject)
    child.on('exit', (code) => {
      clearInterval(poll)
      if (timer) clearTimeout(timer)
      resolve({code, workMs: seenAt === undefined ? 0 : (committedAt ?? Date.now()) - seenAt})
    })
  })
}

// Serial: the other tests of this file run the CLI with spawnSync, which would
// stop this process's event loop, and with it the polling that times the kills.
test.serial(`kill -9 at random moments of a checkpoint: source unchanged, OUT complete or refused (${CYCLES} cycles)`, async (t) => {
  t.timeout(900_000)
  const root = tempDir()
  const dir = path.join(root, 'db')
  await createStore(dir, {shards: 4})
  const s = await open(dir, {walFlushBytes: 600, compactionTrigger: 1000})
  // Values that do not compress, so the tables hold a few MB to copy.
  const bytes = prng(7)
  const noise = (n: number): string => Array.from({length: n}, () => Math.floor(bytes() * 16).toString(16)).join('')
  for (let b = 0; b < 80; b++) {
    await s.batch(Array.from({length: 40}, (_, i) => ({type: 'put' as const, key: `k${String((b * 97 + i * 13) % 1500).padStart(5, '0')}`, value: `v${b}.${i}.${noise(1000)}`})))
  }
  await s.put('in-the-wal', 'not flushed', {ttlMs: 3_600_000})
  await s.close()
  const tables = (await open(dir, {readOnly: true}).then(async (r) => [r.stats().totals.tables, await r.close()]))[0] as number
  t.true(tables >= 100, `the store has ${tables} tables`)
  const baseline = await contents(dir)
  const verified = verifyStore(dir).summary
  t.is(verified.errors, 0)

  // Full runs, to time the writing of OUT and to have a reference. On a busy
  // machine this process may not look between OUT appearing and the exit, so
  // a run that was not seen writing is timed again (at most three runs).
  let full = {code: null as number | null, workMs: 0}
  for (let i = 0; i < 3 && full.workMs === 0; i++) {
    full = await runCheckpoint(dir, path.join(root, `full${i}`))
    t.is(full.code, 0)
    t.deepEqual(await contents(path.join(root, `full${i}`)), baseline)
  }
  t.true(full.workMs > 0, 'one of three full runs was seen writing OUT')

  const random = prng(20261129)
  const outcomes = {complete: 0, refused: 0, partial: 0, rerun: 0}
  for (let c = 0; c < CYCLES; c++) {
    const out = path.join(root, `out${c}`)
    // Most kills land at a random moment of the writing of OUT; every fourth
    // cycle kills just after the commit point, which a timed kill cannot hit
    // reliably on a busy machine (the writing takes longer than it did when timed).
    const kill = c % 4 === 3 ? {atCommit: true as const} : {afterMs: Math.floor(full.workMs * random())}
    const {code} = await runCheckpoint(dir, out, kill)
    // The source: the same contents and a clean verify.
    t.deepEqual(await contents(dir), baseline, `cycle ${c}: source changed`)
    t.deepEqual(verifyStore(dir).summary.errors, 0, `cycle ${c}: source verify`)
    if (fs.existsSync(path.join(out, 'STORE'))) {
      outcomes.complete++
      t.deepEqual(await contents(out), baseline, `cycle ${c} (exit ${code}): a complete checkpoint with other contents`)
      t.is(verifyStore(out).summary.errors, 0)
      continue
    }
    outcomes.refused++
    t.not(code, 0, `cycle ${c}: exit 0 without STORE`)
    const err = await open(out, {readOnly: true}).then(() => undefined, (e: {code?: string}) => e)
    t.is(err?.code, 'NOT_A_STORE', `cycle ${c}: a partial OUT opens`)
    if (fs.existsSync(out)) outcomes.partial++
    if (outcomes.partial <= 3 && fs.existsSync(out)) {
      // The same command again clears the partial OUT and finishes.
      if (outcomes.rerun === 0) {
        const scan = strata(['scan', '--dir', out, '--format', 'json'])
        t.is(scan.code, 2)
        t.is(JSON.parse(scan.stderr).error.code, 'NOT_A_STORE')
      }
      const again = strata(['checkpoint', '--dir', dir, out])
      t.is(again.code, 0, again.stderr)
      t.deepEqual(await contents(out), baseline)
      outcomes.rerun++
    }
  }
  t.log(`${tables} tables, a full checkpoint wrote for ${full.workMs} ms; outcomes ${JSON.stringify(outcomes)}`)
  t.is(outcomes.complete + outcomes.refused, CYCLES)
  t.true(outcomes.partial > 0 && outcomes.complete > 0, `outcomes ${JSON.stringify(outcomes)}`)
  t.true(outcomes.rerun > 0)
  // A fresh OUT after all that.
  const fresh = strata(['checkpoint', '--dir', dir, path.join(root, 'fresh')])
  t.is(fresh.code, 0, fresh.stderr)
  t.deepEqual(await contents(path.join(root, 'fresh')), baseline)
  // Pins the killed runs left are removed by the next writer.
  t.is(strata(['put', '--dir', dir, 'last', 'write']).code, 0)
  t.false(fs.existsSync(path.join(dir, 'pins')))
})
