/**
 * `npm run bench`: strata against LevelDB (classic-level), RocksDB (rocksdb)
 * and lmdb on this machine, in one run. Each workload runs for each engine in a fresh
 * child process (worker.ts); workloads run one after another, each repeated
 * --runs times with the engines interleaved (and their order rotated), so
 * machine noise hits every engine alike. Prints a Markdown table of medians,
 * min–max and strata ÷ peer ratios under a header naming the machine, and
 * writes a JSON results file that also records the 1-minute load average
 * before and after every workload (and every run of it).
 *
 * Usage: node dist/test/bench/run.js [--quick] [--json FILE] [--only id,...]
 *          [--runs R] [--keys N] [--engines strata,leveldb,rocksdb,lmdb]
 *          [--shards N] [--compression zlib|none] [--profile DIR] [--no-snapshot]
 *
 * --only takes metric ids or workload names (see metrics.ts). --profile DIR
 * writes V8 CPU profiles of strata's timed regions (whole processes for the
 * CLI workloads) to DIR/<workload>/ and prints each workload's top self-time
 * functions. Profiling slows the run: do not compare its figures.
 * Exit status: 0 when every workload ran and every check passed (targets
 * missed do not fail the run: they are reported), 1 otherwise, 2 on bad usage.
 */
import {spawnSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import * as os from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {ENGINES, ENGINE_LABEL, peerVersions, type EngineName, type StrataConfig} from './engines.js'
import {METRICS, WORKLOADS, metricsOf, type WorkloadName} from './metrics.js'
import {buildResults, formatValue, markdownTable, notes, type RunValues} from './report.js'
import {formatSelfTimes, selfTimes} from './profile.js'
import {ERROR_PREFIX, RESULT_PREFIX, type WorkloadResult, type WorkloadSpec} from './spec.js'
import {writeNdjson} from './cli-workloads.js'
import {DEFAULT_VALUE_BYTES} from './data.js'

const HERE = dirname(fileURLToPath(import.meta.url))
const ROOT = resolve(HERE, '../../..')

/**
 * Copies the built tree (dist, bin, package.json, the oclif manifest; node_modules
 * linked) so that every process of a run measures the same build, even while
 * the working tree is being rebuilt. Returns the copy's root.
 */
function snapshot(into: string): string {
  const root = join(into, 'build')
  for (let attempt = 1; ; attempt++) {
    rmSync(root, {recursive: true, force: true})
    mkdirSync(root)
    cpSync(join(ROOT, 'dist'), join(root, 'dist'), {recursive: true})
    cpSync(join(ROOT, 'bin'), join(root, 'bin'), {recursive: true})
    for (const f of ['package.json', 'oclif.manifest.json']) if (existsSync(join(ROOT, f))) copyFileSync(join(ROOT, f), join(root, f))
    symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'), 'dir')
    // A copy taken while tsc was writing may be torn: check it loads.
    const probe = spawnSync(process.execPath, ['-e', `import(${JSON.stringify(join(root, 'dist/test/bench/workloads.js'))}).then(() => {}, (e) => { console.error(e.message); process.exit(1) })`], {encoding: 'utf8'})
    if (probe.status === 0) return root
    if (attempt === 3) throw new Error(`the build does not load: ${probe.stderr.trim()}`)
    spawnSync('sleep', ['5'])
  }
}

/** Sizes of a run. */
interface Plan {
  readonly keys: number
  readonly runs: number
  readonly readOps: number
  readonly asyncOps: number
  readonly ycsbOps: number
  readonly durableMs: number
  readonly cliSamples: number
}

const FULL: Plan = {keys: 1_000_000, runs: 5, readOps: 200_000, asyncOps: 100_000, ycsbOps: 100_000, durableMs: 3000, cliSamples: 10}
const QUICK: Plan = {keys: 100_000, runs: 1, readOps: 50_000, asyncOps: 20_000, ycsbOps: 20_000, durableMs: 1000, cliSamples: 5}

/** Workloads that read the preloaded store (the others write to scratch directories). */
const USES_STORE: ReadonlySet<WorkloadName> = new Set(['read_sync', 'read_async', 'scan', 'scan_sync', 'digest', 'reopen_get', 'memory', 'ycsb_c', 'ycsb_a', 'cli_get', 'serve'])

interface Args {
  quick: boolean
  json: string
  only?: string[]
  runs?: number
  keys?: number
  engines: EngineName[]
  strata: StrataConfig
  profile?: string
  snapshot: boolean
}

function usage(msg: string): never {
  process.stderr.write(`bench: ${msg}\nusage: node dist/test/bench/run.js [--quick] [--json FILE] [--only ${WORKLOADS.join(',')}|metric ids] [--runs R] [--keys N] [--engines ${ENGINES.join(',')}] [--shards N] [--compression zlib|none] [--profile DIR]\n`)
  process.exit(2)
}

function parseArgs(argv: string[]): Args {
  const args: Args = {quick: false, json: 'bench-results.json', engines: [...ENGINES], strata: {}, snapshot: true}
  const int = (name: string, v: string | undefined): number => {
    const n = Number(v)
    if (!Number.isSafeInteger(n) || n < 1) usage(`${name} needs a positive integer`)
    return n
  }
  let strata: {shards?: number; compression?: 'zlib' | 'none'} = {}
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const next = (): string => argv[++i] ?? usage(`${a} needs a value`)
    if (a === '--quick') args.quick = true
    else if (a === '--json') args.json = next()
    else if (a === '--only') args.only = next().split(',').map((s) => s.trim()).filter(Boolean)
    else if (a === '--runs') args.runs = int(a, next())
    else if (a === '--keys') args.keys = int(a, next())
    else if (a === '--profile') args.profile = resolve(next())
    else if (a === '--no-snapshot') args.snapshot = false
    else if (a === '--shards') strata = {...strata, shards: int(a, next())}
    else if (a === '--compression') {
      const c = next()
      if (c !== 'zlib' && c !== 'none') usage('--compression is zlib or none')
      strata = {...strata, compression: c}
    } else if (a === '--engines') {
      const list = next().split(',').map((s) => s.trim())
      for (const e of list) if (!(ENGINES as readonly string[]).includes(e)) usage(`unknown engine ${e}`)
      if (!list.includes('strata')) usage('--engines must include strata')
      args.engines = list as EngineName[]
    } else if (a === '--help' || a === '-h') usage('help')
    else usage(`unknown argument ${a}`)
  }
  args.strata = strata
  return args
}

/** Metric ids selected by --only (metric ids or workload names), or all. */
function selection(only: string[] | undefined): Set<string> {
  if (!only) return new Set(METRICS.map((m) => m.id))
  const out = new Set<string>()
  for (const name of only) {
    const byWorkload = METRICS.filter((m) => m.workload === name)
    const byId = METRICS.filter((m) => m.id === name)
    if (byWorkload.length + byId.length === 0) usage(`--only: no metric or workload named ${name}`)
    for (const m of [...byWorkload, ...byId]) out.add(m.id)
  }
  return out
}

interface RawRun {
  readonly workload: WorkloadName
  readonly engine: EngineName
  readonly run: number
  readonly wallMs: number
  /** os.loadavg() just before and just after the worker ran. */
  readonly loadavgBefore: number[]
  readonly loadavgAfter: number[]
  readonly result?: WorkloadResult
  readonly error?: {check: boolean; message: string; code: string | null; stack?: string | null}
}

function runWorker(worker: string, spec: WorkloadSpec, nodeArgs: readonly string[]): {result?: WorkloadResult; error?: RawRun['error']; wallMs: number} {
  const t0 = performance.now()
  const env: NodeJS.ProcessEnv = {...process.env}
  delete env.NODE_OPTIONS
  const r = spawnSync(process.execPath, [...nodeArgs, worker, JSON.stringify(spec)], {env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 30 * 60_000})
  const wallMs = performance.now() - t0
  const lines = (r.stdout ?? '').split('\n')
  const res = lines.find((l) => l.startsWith(RESULT_PREFIX))
  if (res && r.status === 0) return {result: JSON.parse(res.slice(RESULT_PREFIX.length)) as WorkloadResult, wallMs}
  const err = lines.find((l) => l.startsWith(ERROR_PREFIX))
  if (err) return {error: JSON.parse(err.slice(ERROR_PREFIX.length)) as RawRun['error'], wallMs}
  const why = r.error ? r.error.message : r.signal ? `killed by ${r.signal}` : `exit ${r.status}`
  return {error: {check: false, message: `worker failed (${why}): ${(r.stderr ?? '').trim().slice(0, 3000)}`, code: null}, wallMs}
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2))
  const base = args.quick ? QUICK : FULL
  const plan: Plan = {...base, ...(args.runs ? {runs: args.runs} : {}), ...(args.keys ? {keys: args.keys} : {})}
  const selected = selection(args.only)
  const selectedWorkloads = new Set(METRICS.filter((m) => selected.has(m.id)).map((m) => m.workload))
  const needStore = [...selectedWorkloads].some((w) => USES_STORE.has(w))
  const tmp = mkdtempSync(join(os.tmpdir(), 'strata-bench-'))
  const cleanup = (): void => rmSync(tmp, {recursive: true, force: true})
  process.once('SIGINT', () => {
    cleanup()
    process.exit(130)
  })
  const log = (s: string): void => void process.stderr.write(`${s}\n`)
  const started = new Date()
  const loadStart = os.loadavg()
  log(`bench: ${plan.keys.toLocaleString('en-US')} keys, ${plan.runs} run(s), engines ${args.engines.join(', ')}, data in ${tmp}`)
  const version = readVersion()
  let root: string
  try {
    root = args.snapshot ? snapshot(tmp) : ROOT
  } catch (err) {
    cleanup()
    throw err
  }
  const worker = join(root, 'dist', 'test', 'bench', 'worker.js')
  const build = buildHash(root)

  const values: RunValues = {}
  const raw: RawRun[] = []
  const stores = new Map<EngineName, string>()
  const broken = new Set<EngineName>()
  const maxEpoch = new Map<EngineName, number>(args.engines.map((e) => [e, 0]))
  let ndjson: string | undefined
  let failures = 0
  /** os.loadavg() before the first and after the last run of each workload. */
  const loadavg: Partial<Record<WorkloadName, {before: number[]; after: number[]}>> = {}

  try {
    for (const workload of WORKLOADS) {
      const reported = selectedWorkloads.has(workload)
      if (!reported && !(workload === 'load' && needStore)) continue
      const defs = metricsOf(workload)
      const engines = args.engines.filter((e) => defs.some((d) => d.engines.includes(e)))
      const runs = reported ? plan.runs : 1
      if (workload === 'cli_put_batch') {
        ndjson = join(tmp, 'input.ndjson')
        log(`bench: writing ${plan.keys.toLocaleString('en-US')} NDJSON lines`)
        writeNdjson(ndjson, plan.keys, DEFAULT_VALUE_BYTES)
      }
      const workloadLoad = {before: os.loadavg(), after: [] as number[]}
      loadavg[workload] = workloadLoad
      for (let run = 0; run < runs; run++) {
        const rotated = engines.map((_, k) => engines[(k + run) % engines.length])
        for (const engine of rotated) {
          let dir: string
          let scratch = false
          if (workload === 'load' && run === 0) {
            dir = join(tmp, `${engine}-store`)
            stores.set(engine, dir)
          } else if (USES_STORE.has(workload)) {
            const store = stores.get(engine)
            if (!store || broken.has(engine)) {
              log(`bench: ${workload} ${engine}: skipped, no preloaded store`)
              continue
            }
            dir = store
          } else {
            dir = join(tmp, `${engine}-${workload}-${run}`)
            scratch = true
          }
          const epoch = workload === 'ycsb_a' ? (maxEpoch.get(engine) ?? 0) + 1 : 0
          const ops = workload === 'read_sync' ? plan.readOps : workload === 'cli_get' ? plan.cliSamples : workload.startsWith('ycsb') ? plan.ycsbOps : plan.asyncOps
          const profDir = args.profile && engine === 'strata' && reported ? join(args.profile, workload) : undefined
          const cli = workload.startsWith('cli_')
          const spec: WorkloadSpec = {
            workload, engine, dir, keys: plan.keys, valueBytes: DEFAULT_VALUE_BYTES, ops, durationMs: plan.durableMs,
            seed: 0x5eed + run * 7919, epoch, maxEpoch: Math.max(epoch, maxEpoch.get(engine) ?? 0), strata: args.strata, root,
            ...(ndjson && workload === 'cli_put_batch' ? {ndjson} : {}),
            ...(profDir && cli ? {cliNodeArgs: ['--cpu-prof', '--cpu-prof-dir', profDir]} : {}),
            ...(profDir && !cli ? {profile: join(profDir, `${workload}-run${run + 1}.cpuprofile`)} : {}),
          }
          if (profDir) mkdirSync(profDir, {recursive: true})
          const loadavgBefore = os.loadavg()
          const out = runWorker(worker, spec, [])
          const loadavgAfter = os.loadavg()
          workloadLoad.after = loadavgAfter
          if (workload === 'ycsb_a') maxEpoch.set(engine, epoch)
          if (scratch) rmSync(dir, {recursive: true, force: true})
          raw.push({workload, engine, run, wallMs: out.wallMs, loadavgBefore, loadavgAfter, ...(out.result ? {result: out.result} : {}), ...(out.error ? {error: out.error} : {})})
          const tag = `[${workload} ${run + 1}/${runs}] ${ENGINE_LABEL[engine]}`
          if (out.error) {
            failures++
            if (workload === 'load' && run === 0) broken.add(engine)
            log(`${tag}: ${out.error.check ? 'CHECK FAILED' : 'FAILED'}: ${out.error.message}`)
            continue
          }
          const result = out.result as WorkloadResult
          const shown: string[] = []
          for (const def of defs) {
            const v = result.metrics[def.id]
            if (v === undefined) continue
            if (reported) ((values[def.id] ??= {})[engine] ??= []).push(v)
            shown.push(`${def.id} ${formatValue(v, def.unit)} ${def.unit}`)
          }
          log(`${tag}: ${shown.join(', ')}${reported ? '' : ' (setup, not reported)'}`)
        }
      }
    }
  } finally {
    cleanup()
  }

  const results = buildResults(values, selected)
  const table = markdownTable(results)
  const machine = {
    node: process.version, platform: `${os.platform()} ${os.release()}`, os: osName(), cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? '',
    totalMemMB: Math.round(os.totalmem() / 2 ** 20), loadavgStart: loadStart, loadavgEnd: os.loadavg(),
  }
  const doc = {
    benchmark: 'strata vs LevelDB vs RocksDB vs lmdb', started: started.toISOString(), finished: new Date().toISOString(), machine, loadavg,
    plan: {...plan, valueBytes: DEFAULT_VALUE_BYTES, keyBytes: 16, quick: args.quick, engines: args.engines, strata: args.strata, ycsb: 'scrambled zipfian, θ=0.99'},
    versions: {strata: version, strataBuild: build, ...peerVersions()},
    metrics: results, failures, runs: raw,
  }
  writeFileSync(args.json, `${JSON.stringify(doc, null, 2)}\n`)
  const la = (l: number[]): string => l.map((x) => x.toFixed(1)).join(' ')
  const loadLines = Object.entries(loadavg).map(([w, l]) => `${w} ${l.before[0].toFixed(1)}→${l.after[0]?.toFixed(1) ?? '?'}`)
  process.stdout.write(`\nstrata ${version} (build ${build}); ${plan.keys.toLocaleString('en-US')} keys, ${plan.runs} run(s)\n`)
  process.stdout.write(`Machine: ${machine.cpuModel}, ${machine.cpus} cores, ${machine.totalMemMB.toLocaleString('en-US')} MB memory; Node ${process.version}; ${machine.os} (${machine.platform})\n`)
  process.stdout.write(`Load average (1, 5, 15 min): ${la(loadStart)} at start, ${la(machine.loadavgEnd)} at end; 1-min before→after each workload: ${loadLines.join(', ')}\n`)
  process.stdout.write(`\n${table}\n\n${notes(results)}\n\nResults: ${args.json}\n`)
  if (args.profile) {
    for (const workload of WORKLOADS) {
      if (!selectedWorkloads.has(workload)) continue
      const dir = join(args.profile, workload)
      let rows: ReturnType<typeof selfTimes> = []
      try {
        rows = selfTimes(dir, 12, root)
      } catch {
        continue
      }
      process.stdout.write(`\nstrata ${workload}: top self time (${dir})\n${formatSelfTimes(rows).join('\n')}\n`)
    }
  }
  if (failures > 0) {
    process.stdout.write(`\n${failures} workload run(s) FAILED; see above and "runs" in ${args.json}\n`)
    process.exitCode = 1
  }
}

/** sha256 (first 12 hex digits) of the built engine and CLI (dist/src), naming the exact build measured. */
function buildHash(root: string): string {
  const h = createHash('sha256')
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name)
      if (statSync(p).isDirectory()) walk(p)
      else h.update(name).update(readFileSync(p))
    }
  }
  walk(join(root, 'dist', 'src'))
  return h.digest('hex').slice(0, 12)
}

/** The distribution's name from /etc/os-release (machine description, not store data), else the kernel's. */
function osName(): string {
  try {
    const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))
    if (m) return m[1]
  } catch {
    // not Linux, or no os-release: fall through
  }
  return `${os.type()} ${os.release()}`
}

function readVersion(): string {
  const r = spawnSync('git', ['rev-parse', '--short', 'HEAD'], {cwd: ROOT, encoding: 'utf8'})
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src'], {cwd: ROOT, encoding: 'utf8'}).stdout?.trim()
  return r.status === 0 ? `${r.stdout.trim()}${dirty ? '+dirty' : ''}` : 'unknown'
}

await main()
