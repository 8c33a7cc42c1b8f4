/**
 * `strata serve --replica-of`: a read replica as a real child process,
 * following a replica that `strata replicate` (itself a real process) ships
 * from a primary store this process writes. The replica converges on the
 * primary's data and digest, refuses writes naming its source, reports its
 * cut and lag, resumes from its local directory after a restart, and keeps
 * serving its last good cut while the source holds a damaged object.
 */
import test, {type ExecutionContext} from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {spawn} from 'node:child_process'
import {createStore, open} from '../../src/index.js'
import {cliEnv, runJs, strata} from '../helpers/cli.js'
import {tempDir} from '../helpers/temp.js'
import {errorOf, serveOnce, startServe, type TestServer} from './helpers.js'
import {buildStore, cutsOf, digestOf, expectExit, putSome} from '../replicate/helpers.js'

/** Generous: polling ends as soon as the condition holds. */
const DEADLINE_MS = 90_000

interface ReplicaStats {
  source: string
  cut: string
  cutTakenAt: number
  lagMs: number
  cutsServed: number
  objects: number | null
  reusedObjects: number | null
  status: 'ok' | 'degraded'
  error: {code: string; message: string} | null
}

async function replicaStats(s: TestServer): Promise<ReplicaStats> {
  const body = (await (await fetch(`${s.url}/stats`)).json()) as {role: string; replica: ReplicaStats}
  if (body.role !== 'replica') throw new Error(`role ${body.role}`)
  return body.replica
}

/** Polls until `ok` holds of the replica's stats; fails the test at the deadline. */
async function waitFor(t: ExecutionContext, s: TestServer, what: string, ok: (r: ReplicaStats) => boolean): Promise<ReplicaStats> {
  const until = Date.now() + DEADLINE_MS
  let last: ReplicaStats | undefined
  while (Date.now() < until) {
    last = await replicaStats(s)
    if (ok(last)) return last
    await new Promise((r) => setTimeout(r, 100))
  }
  t.fail(`${what}: not within ${DEADLINE_MS} ms; last stats ${JSON.stringify(last)}; stderr ${s.stderr()}`)
  throw new Error(what)
}

/** Where a test's primary store, its replica and the read replica's local directory go. */
function places(t: ExecutionContext): {root: string; primary: string; dest: string; local: string} {
  const root = tempDir(t)
  return {root, primary: path.join(root, 'primary'), dest: path.join(root, 'dest'), local: path.join(root, 'local')}
}

function newestCutId(replica: string): string {
  const cuts = cutsOf(replica)
  if (cuts.length === 0) throw new Error('no cut')
  return cuts.at(-1).id as string
}

test('a replica of a followed primary converges: every acknowledged write, the same digest; writes refused; lag reported', async (t) => {
  t.timeout(240_000)
  const {primary, dest, local} = places(t)
  await createStore(primary, {shards: 2})
  await putSome(primary, ['seed-0', 'seed-1'])
  const follower = spawn(process.execPath, [runJs, 'replicate', '--dir', primary, dest, '--follow', '--interval', '200ms'], {env: cliEnv(), stdio: ['ignore', 'ignore', 'pipe']})
  let followerErr = ''
  follower.stderr.on('data', (b: Buffer) => (followerErr += b.toString()))
  const followerExit = new Promise<number | null>((resolve) => follower.on('exit', (code) => resolve(code)))
  t.teardown(() => {
    if (follower.exitCode === null && follower.signalCode === null) follower.kill('SIGKILL')
  })
  const until = Date.now() + DEADLINE_MS
  while (cutsOf(dest).length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50))
  t.true(cutsOf(dest).length > 0, `a first cut was shipped: ${followerErr}`)

  const replica = await startServe(t, local, ['--replica-of', dest, '--interval', '200ms'])
  const first = await replicaStats(replica)
  t.is(first.source, dest)

  // Write while both follow; the replica applies cuts as they come.
  let acked = 0
  let stop = false
  const writer = (async () => {
    for (let i = 0; !stop; i++) {
      const s = await open(primary, {lockTimeoutMs: 30_000})
      await s.put(`w-${String(i).padStart(5, '0')}`, `value ${i}`)
      await s.close()
      acked = i + 1
    }
  })()
  // Meanwhile a reader checks that each /digest is exactly that of the cut its header names: never part of a cut.
  const seen = new Set<string>()
  let compared = 0
  let mixed = 0
  const reader = (async () => {
    while (!stop) {
      const res = await fetch(`${replica.url}/digest`)
      const {digest} = (await res.json()) as {digest: string}
      const id = res.headers.get('strata-replica-cut') ?? ''
      const descriptor = path.join(dest, 'cuts', `${id}.json`)
      if (!fs.existsSync(descriptor)) continue // pruned by retention meanwhile
      compared++
      seen.add(id)
      if ((JSON.parse(fs.readFileSync(descriptor, 'utf8')) as {digest: string}).digest !== digest) mixed++
    }
  })()
  await waitFor(t, replica, 'the replica applies newer cuts while the writer works', (r) => r.cutsServed >= 3 && acked >= 30)
  stop = true
  await writer
  await reader
  t.true(compared > 0 && seen.size >= 1, `${compared} digests compared over ${seen.size} cuts`)
  t.is(mixed, 0, `${mixed} of ${compared} digests were not their cut's`)
  t.log(`${compared} digests compared over ${seen.size} cuts`)
  follower.kill('SIGTERM')
  t.is(await followerExit, 0, followerErr)
  const last = newestCutId(dest)
  const applied = await waitFor(t, replica, `the replica applies the last cut ${last}`, (r) => r.cut === last)
  t.is(applied.status, 'ok')
  t.true(applied.lagMs >= 0)

  let wrong = 0
  for (let i = 0; i < acked; i++) {
    const res = await fetch(`${replica.url}/kv/w-${String(i).padStart(5, '0')}`)
    if (res.status !== 200 || (await res.text()) !== `value ${i}`) wrong++
  }
  t.true(acked >= 30)
  t.is(wrong, 0, `every one of the ${acked} acknowledged writes reads back from the replica`)

  const at = Date.now()
  const served = (await (await fetch(`${replica.url}/digest?at=${at}`)).json()) as {digest: string; records: number}
  const cli = JSON.parse(expectExit(strata(['digest', '--dir', primary, '--at', String(at), '--format', 'json']), 0, 'digest').stdout) as {digest: string; records: number}
  t.is(served.digest, cli.digest)
  t.is(served.records, acked + 2)

  // Every response names the cut and its lag; writes are refused naming the source.
  const res = await fetch(`${replica.url}/kv/seed-0`)
  t.is(await res.text(), 'value of seed-0')
  t.is(res.headers.get('strata-replica-cut'), last)
  t.true(Number(res.headers.get('strata-replica-lag-ms')) >= 0)
  for (const [method, p] of [['PUT', '/kv/x'], ['POST', '/kv/x'], ['DELETE', '/kv/seed-0'], ['POST', '/bulk']] as const) {
    const refused = await fetch(`${replica.url}${p}`, {method, body: method === 'DELETE' ? undefined : '{"k": 1}', headers: {'content-type': 'application/json'}})
    t.is(refused.headers.get('strata-replica-cut'), last)
    const error = await errorOf(t, refused, 405, 'INVALID_ARGUMENT')
    t.is(error.role, 'replica')
    t.is(error.source, dest)
  }
  t.is((await fetch(`${replica.url}/kv/x`)).status, 404)
  const metrics = await (await fetch(`${replica.url}/metrics`)).text()
  const lag = /^strata_replica_lag_seconds (\S+)$/m.exec(metrics)
  t.truthy(lag, metrics)
  t.true(Number(lag![1]) >= 0)
  t.is(((await (await fetch(`${replica.url}/healthz`)).json()) as {status: string}).status, 'ok')

  const stopped = await replica.stop('SIGTERM')
  t.is(stopped.code, 0, replica.stderr())
  t.deepEqual(fs.readdirSync(path.join(local, 'cuts')), [last], 'only the served cut is kept locally')
})

test('a damaged object of a newer cut keeps the replica on its last good cut (degraded) until the object is whole again; a restart resumes its local cut; only new objects are downloaded', async (t) => {
  t.timeout(180_000)
  const {primary, dest, local} = places(t)
  await buildStore(primary)
  await putSome(primary, ['a', 'b', 'c'])
  expectExit(strata(['replicate', '--dir', primary, dest]), 0, 'replicate')
  const cut1 = newestCutId(dest)

  const one = await startServe(t, local, ['--replica-of', dest, '--interval', '200ms'])
  t.is((await replicaStats(one)).cut, cut1)
  t.is((await one.stop('SIGTERM')).code, 0, one.stderr())

  await putSome(primary, ['d', 'e'])
  expectExit(strata(['replicate', '--dir', primary, dest]), 0, 'replicate')
  const cuts = cutsOf(dest)
  t.is(cuts.length, 2)
  const cut2 = cuts[1].id as string
  const before = new Set((cuts[0].objects as Array<{key: string; sha256: string}>).map((o) => `${o.key} ${o.sha256}`))
  const fresh = (cuts[1].objects as Array<{key: string; sha256: string}>).filter((o) => !before.has(`${o.key} ${o.sha256}`))
  t.true(fresh.length > 0, 'the second cut ships objects of its own')
  const victim = path.join(dest, ...fresh[0].key.split('/'))
  const good = fs.readFileSync(victim)
  const bad = Buffer.from(good)
  bad[bad.length - 1] ^= 0xff
  fs.writeFileSync(victim, bad)

  // The restart serves the cut LOCAL holds; cut 2 fails its check.
  const two = await startServe(t, local, ['--replica-of', dest, '--interval', '200ms'])
  const degraded = await waitFor(t, two, 'the damaged cut is reported', (r) => r.status === 'degraded')
  t.is(degraded.cut, cut1)
  t.is(degraded.error?.code, 'CORRUPTION')
  const health = (await (await fetch(`${two.url}/healthz`)).json()) as {status: string; error: {code: string}}
  t.is(health.status, 'degraded')
  t.is(health.error.code, 'CORRUPTION')
  const a = await fetch(`${two.url}/kv/a`)
  t.is(a.status, 200)
  t.is(await a.text(), 'value of a')
  t.is(a.headers.get('strata-replica-cut'), cut1)
  t.is((await fetch(`${two.url}/kv/d`)).status, 404)

  // Whole again: the next check applies cut 2.
  fs.writeFileSync(victim, good)
  const healed = await waitFor(t, two, 'cut 2 is applied once its object is whole', (r) => r.cut === cut2)
  t.is(healed.status, 'ok')
  t.is(healed.error, null)
  t.is(await (await fetch(`${two.url}/kv/d`)).text(), 'value of d')
  // What cut 1 already had (its tables linked, its WAL ranges copied) was not downloaded again.
  const objects = (cuts[1].objects as unknown[]).length
  t.is(healed.objects, objects)
  t.is(healed.reusedObjects, objects - fresh.length)
  t.true(healed.reusedObjects! > 0)
  const served = (await (await fetch(`${two.url}/digest`)).json()) as {digest: string}
  t.is(served.digest, await digestOf(primary))
  t.is((await two.stop('SIGINT')).code, 0, two.stderr())
})

test('a source that disappears leaves the replica serving, degraded, until it is back; the local directory must be new, empty or a replica of the same source', async (t) => {
  t.timeout(180_000)
  const {root, primary, dest, local} = places(t)
  await createStore(primary, {shards: 1})
  await putSome(primary, ['a'])
  expectExit(strata(['replicate', '--dir', primary, dest]), 0, 'replicate')
  const replica = await startServe(t, local, ['--replica-of', dest, '--interval', '200ms'])
  fs.renameSync(dest, `${dest}.away`)
  const lost = await waitFor(t, replica, 'the missing source is reported', (r) => r.status === 'degraded')
  t.is(lost.error?.code, 'NOT_FOUND')
  t.is(await (await fetch(`${replica.url}/kv/a`)).text(), 'value of a')
  fs.renameSync(`${dest}.away`, dest)
  t.is((await waitFor(t, replica, 'the source is back', (r) => r.status === 'ok')).error, null)
  t.is((await replica.stop()).code, 0, replica.stderr())
  // Another source into the same local directory is refused.
  const other = path.join(root, 'other')
  expectExit(strata(['replicate', '--dir', primary, other]), 0, 'replicate')
  const mixed = await serveOnce(['--dir', local, '--replica-of', other, '--listen', '127.0.0.1:0'])
  t.is(mixed.code, 2, mixed.stderr)
  // A store is not a replica's local directory.
  const asStore = await serveOnce(['--dir', primary, '--replica-of', dest, '--listen', '127.0.0.1:0'])
  t.is(asStore.code, 2, asStore.stderr)
  // A source with no cut: nothing to serve.
  const empty = path.join(root, 'empty')
  fs.mkdirSync(empty)
  const none = await serveOnce(['--dir', path.join(root, 'local2'), '--replica-of', empty, '--listen', '127.0.0.1:0'])
  t.is(none.code, 1, none.stderr)
  t.false(fs.existsSync(path.join(root, 'local2', 'REPLICA-STATE')))
})

test('--interval and --verify belong to --replica-of: alone, or with --read-only, they are usage errors (exit 2)', async (t) => {
  const dir = path.join(tempDir(t), 'data')
  t.is(strata(['init', '--dir', dir]).code, 0)
  for (const args of [['--interval', '2s'], ['--verify', 'full'], ['--replica-of', path.join(tempDir(t), 'replica'), '--read-only']]) {
    const r = await serveOnce(['--dir', dir, '--listen', '127.0.0.1:0', ...args])
    t.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`)
    t.regex(r.stderr, /USAGE/)
  }
})
