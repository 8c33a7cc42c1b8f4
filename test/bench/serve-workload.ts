/**
 * The HTTP server under load: `strata serve` on the preloaded store, on
 * loopback, driven by autocannon (64 connections, one request at a time on
 * each: no pipelining) from this process, which does nothing else meanwhile;
 * the server is a child process of the same niceness. First the library's
 * own async `get` of the same store, one at a time, in this same process, so
 * the ratio HTTP reads ÷ library reads is of one run. Durable writes use
 * `--sync batch` (group commit: a PUT is answered once its WAL record is
 * fdatasync'ed). Each kind of request gets an untimed warm-up, then
 * TIMED_RUNS short runs whose median is reported, so that a burst of load
 * from elsewhere on a shared machine moves one run, not the figure. Last,
 * the same GET load against a no-op node:http server (noop-server.ts): the
 * most this machine, Node's HTTP stack and the load generator allow at all.
 * Every response status is checked during the runs and a sample of values
 * is read back after them. autocannon is loaded here only.
 */
import {spawn} from 'node:child_process'
import {join} from 'node:path'
import {open} from '../../src/index.js'
import {Rng, keyOf, keyText, valueMatches, valueOf} from './data.js'
import {BenchCheckError, Checker, perSec, type WorkloadResult, type WorkloadSpec} from './spec.js'

/** Connections, as the issue asks. */
const CONNECTIONS = 64
/** Untimed seconds of each request kind before its timed run. */
const WARM_UP_SECONDS = 2
/** Values read back after each run to check them. */
const SAMPLE = 200
/** Timed runs of each request kind; the median is reported. */
const TIMED_RUNS = 3

type Cannon = import('autocannon').Result

/** Runs autocannon against `url`; `path` gives the path of each request. */
async function cannon(url: string, method: 'GET' | 'PUT', seconds: number, path: () => string, body?: Buffer): Promise<Cannon> {
  const {default: autocannon} = await import('autocannon')
  return autocannon({
    url, connections: CONNECTIONS, duration: seconds,
    requests: [{method, ...(body ? {body} : {}), setupRequest: (req: Record<string, unknown>) => ({...req, path: path()})}],
  })
}

/** Starts `strata serve` on a free loopback port; resolves with its URL and a stop function. */
function serve(spec: WorkloadSpec): Promise<Server> {
  return spawnServer([join(spec.root, 'bin', 'run.js'), 'serve', '--dir', spec.dir, '--listen', '127.0.0.1:0', '--sync', 'batch'])
}

interface Server {
  readonly url: string
  stop(): Promise<number | null>
}

/** Spawns a server (node with `args`) that prints `listening on http://127.0.0.1:PORT` to stderr. */
async function spawnServer(args: string[]): Promise<Server> {
  const env: NodeJS.ProcessEnv = {...process.env, OCLIF_SKIP_NEW_VERSION_CHECK: 'true'}
  delete env.STRATA_DIR
  delete env.NODE_OPTIONS
  const child = spawn(process.execPath, args, {env, stdio: ['ignore', 'ignore', 'pipe']})
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  let err = ''
  const port = await new Promise<number>((resolve, reject) => {
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString()
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(err)
      if (m) resolve(Number(m[1]))
    })
    void exited.then((code) => reject(new Error(`${args[0]} exited ${code}: ${err}`)))
  })
  return {url: `http://127.0.0.1:${port}`, stop: async () => (child.kill('SIGTERM'), exited)}
}

/** A warm-up, then TIMED_RUNS runs of `seconds`: the runs, and the median of their requests per second. */
async function timed(url: string, method: 'GET' | 'PUT', seconds: number, path: () => string, body?: Buffer, afterRun?: () => void): Promise<{runs: Cannon[]; perSec: number}> {
  await cannon(url, method, WARM_UP_SECONDS, path, body)
  afterRun?.()
  const runs: Cannon[] = []
  for (let i = 0; i < TIMED_RUNS; i++) {
    runs.push(await cannon(url, method, seconds, path, body))
    afterRun?.()
  }
  for (const r of runs) {
    if (r.non2xx + r.errors + r.timeouts > 0) throw new BenchCheckError(`${method} ${url}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`)
  }
  const rates = runs.map(r2s).sort((a, b) => a - b)
  return {runs, perSec: rates[Math.floor(rates.length / 2)]}
}

export async function serveWorkload(spec: WorkloadSpec): Promise<WorkloadResult> {
  const seconds = Math.max(2, Math.round(spec.durationMs / 1000))
  const rng = new Rng(spec.seed)
  const check = new Checker()

  // The library's async get, one at a time, in this process.
  const store = await open(spec.dir, {readOnly: true})
  const t0 = performance.now()
  for (let j = 0; j < spec.ops; j++) {
    const i = rng.below(spec.keys)
    const kv = await store.get(keyOf(i))
    if (!valueMatches(i, kv?.value, spec.valueBytes, spec.maxEpoch)) check.fail(`library get of key ${i}`)
  }
  const libGet = perSec(spec.ops, performance.now() - t0)
  await store.close()

  const server = await serve(spec)
  let reads: {runs: Cannon[]; perSec: number}
  let writes: {runs: Cannon[]; perSec: number}
  let written = 0
  // Where each write run ended: its last requests may have been cut off unanswered.
  const runEnds: number[] = []
  try {
    const readPath = (): string => `/kv/${encodeURIComponent(keyText(rng.below(spec.keys)))}`
    const body = valueOf(0, 0, spec.valueBytes)
    const writePath = (): string => `/kv/serve-bench:${spec.seed}:${written++}`
    reads = await timed(server.url, 'GET', seconds, readPath)
    writes = await timed(server.url, 'PUT', seconds, writePath, body, () => runEnds.push(written))
    const mayBeCut = (w: number): boolean => runEnds.some((end) => w >= end - 2 * CONNECTIONS && w < end)
    for (let j = 0; j < SAMPLE; j++) {
      const i = rng.below(spec.keys)
      const r = await fetch(`${server.url}/kv/${encodeURIComponent(keyText(i))}`)
      if (!valueMatches(i, Buffer.from(await r.arrayBuffer()), spec.valueBytes, spec.maxEpoch)) check.fail(`HTTP get of key ${i}: ${r.status}`)
      const w = Math.floor((j * written) / SAMPLE)
      const back = await fetch(`${server.url}/kv/serve-bench:${spec.seed}:${w}`)
      // Only acknowledged writes must be there; the last ones of each run may have been cut off when it ended.
      if (back.status !== 200 && !mayBeCut(w)) check.fail(`written key ${w}: ${back.status}`)
      else if (back.status === 200 && !Buffer.from(await back.arrayBuffer()).equals(body)) check.fail(`written key ${w}: wrong value`)
    }
  } finally {
    const code = await server.stop()
    if (code !== 0) check.fail(`strata serve exited ${code} on SIGTERM`)
  }
  // The same GET load against a server that does nothing: the ceiling of this machine and generator.
  const noop = await spawnServer([join(spec.root, 'dist', 'test', 'bench', 'noop-server.js')])
  let ceiling: {runs: Cannon[]; perSec: number}
  try {
    ceiling = await timed(noop.url, 'GET', seconds, () => `/kv/${encodeURIComponent(keyText(rng.below(spec.keys)))}`)
  } finally {
    await noop.stop()
  }
  check.done()
  const total = (runs: Cannon[]): number => runs.reduce((n, r) => n + r.requests.total, 0)
  return {
    metrics: {serve_get: reads.perSec, serve_put: writes.perSec, serve_lib_get: libGet, serve_get_ratio: reads.perSec / libGet, serve_http_ceiling: ceiling.perSec},
    extra: {
      seconds, runs: TIMED_RUNS, connections: CONNECTIONS, pipelining: 1, reads: total(reads.runs), writes: total(writes.runs),
      get_runs: reads.runs.map(r2s), put_runs: writes.runs.map(r2s), ceiling_runs: ceiling.runs.map(r2s),
    },
  }
}

/** Requests answered per second over the run. */
function r2s(r: Cannon): number {
  return r.requests.total / r.duration
}
