/**
 * The HTTP server under load: `strata serve` on the preloaded store, on
 * loopback, driven by autocannon (64 connections) from this process. First
 * the library's own async `get` of the same store, one at a time, in this
 * same process, so the ratio HTTP reads ÷ library reads is of one run.
 * Durable writes use `--sync batch` (group commit: a PUT is answered once
 * its WAL record is fdatasync'ed). Every response status is checked during
 * the run and a sample of values is read back after it. autocannon is
 * loaded here only.
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
async function serve(spec: WorkloadSpec): Promise<{url: string; stop: () => Promise<number | null>}> {
  const env: NodeJS.ProcessEnv = {...process.env, OCLIF_SKIP_NEW_VERSION_CHECK: 'true'}
  delete env.STRATA_DIR
  delete env.NODE_OPTIONS
  const child = spawn(process.execPath, [join(spec.root, 'bin', 'run.js'), 'serve', '--dir', spec.dir, '--listen', '127.0.0.1:0', '--sync', 'batch'], {env, stdio: ['ignore', 'ignore', 'pipe']})
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  let err = ''
  const port = await new Promise<number>((resolve, reject) => {
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString()
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(err)
      if (m) resolve(Number(m[1]))
    })
    void exited.then((code) => reject(new Error(`strata serve exited ${code}: ${err}`)))
  })
  return {url: `http://127.0.0.1:${port}`, stop: async () => (child.kill('SIGTERM'), exited)}
}

export async function serveWorkload(spec: WorkloadSpec): Promise<WorkloadResult> {
  const seconds = Math.max(3, Math.round(spec.durationMs / 1000) * 2)
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
  let reads: Cannon
  let writes: Cannon
  let written = 0
  let warmWrites = 0
  try {
    const readPath = (): string => `/kv/${encodeURIComponent(keyText(rng.below(spec.keys)))}`
    const body = valueOf(0, 0, spec.valueBytes)
    const writePath = (): string => `/kv/serve-bench:${spec.seed}:${written++}`
    // Untimed warm-up of each: the server opens its shards and fills its block cache on first use.
    await cannon(server.url, 'GET', WARM_UP_SECONDS, readPath)
    reads = await cannon(server.url, 'GET', seconds, readPath)
    await cannon(server.url, 'PUT', WARM_UP_SECONDS, writePath, body)
    warmWrites = written
    writes = await cannon(server.url, 'PUT', seconds, writePath, body)
    for (let j = 0; j < SAMPLE; j++) {
      const i = rng.below(spec.keys)
      const r = await fetch(`${server.url}/kv/${encodeURIComponent(keyText(i))}`)
      if (!valueMatches(i, Buffer.from(await r.arrayBuffer()), spec.valueBytes, spec.maxEpoch)) check.fail(`HTTP get of key ${i}: ${r.status}`)
      const w = warmWrites + Math.floor((j * (written - warmWrites)) / SAMPLE)
      const back = await fetch(`${server.url}/kv/serve-bench:${spec.seed}:${w}`)
      // Only acknowledged writes must be there; the last ones may have been cut off when the run ended.
      if (back.status !== 200 && w < warmWrites + writes.requests.total - CONNECTIONS) check.fail(`written key ${w}: ${back.status}`)
      else if (back.status === 200 && !Buffer.from(await back.arrayBuffer()).equals(body)) check.fail(`written key ${w}: wrong value`)
    }
  } finally {
    const code = await server.stop()
    if (code !== 0) check.fail(`strata serve exited ${code} on SIGTERM`)
  }
  for (const [name, r] of [['reads', reads], ['writes', writes]] as const) {
    if (r.non2xx + r.errors + r.timeouts > 0) throw new BenchCheckError(`${name}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`)
  }
  check.done()
  const httpGet = r2s(reads)
  return {
    metrics: {serve_get: httpGet, serve_put: r2s(writes), serve_lib_get: libGet, serve_get_ratio: httpGet / libGet},
    extra: {seconds, connections: CONNECTIONS, reads: reads.requests.total, writes: writes.requests.total},
  }
}

/** Requests answered per second over the run. */
function r2s(r: Cannon): number {
  return r.requests.total / r.duration
}
