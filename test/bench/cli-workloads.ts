/**
 * The CLI workloads: whole `strata` processes timed from spawn to exit, with
 * their output checked like any other read.
 */
import {spawnSync} from 'node:child_process'
import {closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {open} from '../../src/index.js'
import {Rng, keyOf, keyText, valueMatches, valueOf} from './data.js'
import {engineFor} from './engines.js'
import {BenchCheckError, Checker, perSec, type WorkloadResult, type WorkloadSpec} from './spec.js'
import {RSS_FILE_ENV} from './report-rss.js'

const now = (): number => performance.now()

/** Wall time of a child process, and its output. */
function timed(args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}): {ms: number; status: number | null; stdout: string; stderr: string} {
  const env: NodeJS.ProcessEnv = {...process.env, OCLIF_SKIP_NEW_VERSION_CHECK: 'true', NO_COLOR: '1', ...extraEnv}
  delete env.STRATA_DIR
  delete env.NODE_OPTIONS
  const t0 = now()
  const r = spawnSync(process.execPath, args, {env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024})
  const ms = now() - t0
  if (r.error) throw r.error
  return {ms, status: r.status, stdout: r.stdout, stderr: r.stderr}
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

export async function cliGet(spec: WorkloadSpec): Promise<WorkloadResult> {
  const bin = join(spec.root, 'bin', 'run.js')
  const rng = new Rng(spec.seed)
  const nodeMs: number[] = []
  const getMs: number[] = []
  const sample = (warmup: boolean): void => {
    const i = rng.below(spec.keys)
    const n = timed(['-e', '0'])
    const g = timed([...(warmup ? [] : spec.cliNodeArgs ?? []), bin, 'get', '--dir', spec.dir, '--value-encoding', 'hex', keyText(i)])
    if (g.status !== 0) throw new BenchCheckError(`strata get ${keyText(i)} exited ${g.status}: ${g.stderr.trim()}`)
    const v = Buffer.from(g.stdout.trim(), 'hex')
    if (!valueMatches(i, v, spec.valueBytes, spec.maxEpoch)) throw new BenchCheckError(`strata get ${keyText(i)} printed a wrong value: ${g.stdout.trim().slice(0, 80)}`)
    if (!warmup) {
      nodeMs.push(n.ms)
      getMs.push(g.ms)
    }
  }
  sample(true) // page cache and disk warm for both commands
  for (let s = 0; s < spec.ops; s++) sample(false)
  const node = median(nodeMs)
  const get = median(getMs)
  return {metrics: {node_start: node, cli_get: get}, extra: {samples: spec.ops, nodeMs, getMs, ratio: get / node}}
}

export async function cliPutBatch(spec: WorkloadSpec): Promise<WorkloadResult> {
  if (spec.ndjson === undefined) throw new Error('cli_put_batch needs the NDJSON file')
  const engine = engineFor('strata', spec.strata)
  await engine.create(spec.dir)
  const bin = join(spec.root, 'bin', 'run.js')
  // The process reports its own peak RSS (every thread's) as it exits: see report-rss.ts.
  const rssDir = mkdtempSync(join(tmpdir(), 'strata-bench-rss-'))
  const rssFile = join(rssDir, 'maxrss')
  const reporter = fileURLToPath(new URL('./report-rss.js', import.meta.url))
  let maxRssKb: number
  let r: ReturnType<typeof timed>
  try {
    r = timed(['--import', reporter, ...(spec.cliNodeArgs ?? []), bin, 'put', '--batch', spec.ndjson, '--dir', spec.dir, '--format', 'json'], {[RSS_FILE_ENV]: rssFile})
    if (r.status !== 0) throw new BenchCheckError(`strata put --batch exited ${r.status}: ${r.stderr.trim()}`)
    maxRssKb = Number(readFileSync(rssFile, 'utf8'))
  } finally {
    rmSync(rssDir, {recursive: true, force: true})
  }
  if (!(maxRssKb > 0)) throw new BenchCheckError(`strata put --batch reported no peak RSS (${maxRssKb})`)
  const doc = JSON.parse(r.stdout) as {puts?: number}
  if (doc.puts !== spec.keys) throw new BenchCheckError(`strata put --batch reported ${doc.puts} puts, expected ${spec.keys}`)
  // Check what landed: every key present in order, and a sample of values.
  const store = await open(spec.dir, {readOnly: true})
  const check = new Checker()
  let c = 0
  for (const kv of store.scanSync()) {
    if (kv.key.toString('latin1') !== keyText(c)) check.fail(`entry ${c}: key ${kv.key.toString('latin1')}`)
    c++
  }
  if (c !== spec.keys) check.fail(`scan after put --batch found ${c} keys, expected ${spec.keys}`)
  const rng = new Rng(spec.seed)
  for (let j = 0; j < 2000; j++) {
    const i = rng.below(spec.keys)
    if (!valueMatches(i, store.getSync(keyOf(i))?.value, spec.valueBytes, 0)) check.fail(`key ${i}: wrong value after put --batch`)
  }
  await store.close()
  check.done()
  return {metrics: {cli_put_batch: perSec(spec.keys, r.ms), cli_put_batch_rss: maxRssKb / 1024}, extra: {ms: r.ms, result: doc}}
}

/** Writes the NDJSON input of cli_put_batch: keys 0..n-1 with their epoch-0 values, base64. */
export function writeNdjson(path: string, n: number, valueBytes: number): void {
  const fd = openSync(path, 'w')
  try {
    let chunk = ''
    for (let i = 0; i < n; i++) {
      chunk += `{"key":"${keyText(i)}","value":"${valueOf(i, 0, valueBytes).toString('base64')}","valueEncoding":"base64"}\n`
      if (chunk.length > 1 << 20) {
        writeSync(fd, chunk)
        chunk = ''
      }
    }
    writeSync(fd, chunk)
  } finally {
    closeSync(fd)
  }
}
