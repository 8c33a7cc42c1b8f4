/**
 * Worker thread of the decoder fuzzer (fuzz.test.ts): generates the inputs
 * from the seed, feeds each to every decoder of its kind (pure random bytes
 * to every decoder), and reports any outcome other than success or a
 * StrataError CORRUPTION / UNSUPPORTED. The parent watches `progress` and
 * kills the worker if one input takes too long (a hang), naming the input
 * from `current`.
 *
 * Buffer.alloc / allocUnsafe / allocUnsafeSlow are wrapped to record the
 * largest allocation each input causes: one far beyond the input's size
 * means a length was trusted before it was checked.
 */
import {parentPort, workerData} from 'node:worker_threads'
import {open, verifyStore, ErrorCode, StrataError} from '../../../src/index.js'
import {decodeWal} from '../../../src/wal/reader.js'
import {decodeManifest} from '../../../src/manifest/codec.js'
import {decodeDescriptor} from '../../../src/store/descriptor.js'
import {decodeEntry} from '../../../src/record/codec.js'
import {ByteReader} from '../../../src/util/coding.js'
import {TableReader} from '../../../src/sstable/reader.js'
import {parseManifest, parseSstable, parseStore, parseWal, dataBlock} from '../../../src/kaitai/index.js'
import {FaultFileSystem} from '../../../src/vfs/fault-fs.js'
import {buildSeedStore, mutate, type FuzzKind, type Seed} from './fuzz-corpus.js'
import {Rng} from './seed.js'

/** What the parent passes. */
export interface FuzzJob {
  readonly seed: number
  readonly inputs: number
  /** Of `inputs`, how many damage a whole store directory (verify and open). */
  readonly storeInputs: number
  readonly root: string
  /** Int32Array[1]: inputs done. */
  readonly progress: SharedArrayBuffer
  /** UTF-8 description of the input being decoded. */
  readonly current: SharedArrayBuffer
}

/** One bad outcome. */
export interface FuzzFailure {
  readonly input: number
  readonly decoder: string
  readonly how: string
  readonly problem: string
  readonly head: string
}

/** What the worker reports at the end. */
export interface FuzzReport {
  readonly inputs: number
  readonly decodes: number
  readonly byDecoder: Record<string, {ok: number; corruption: number; unsupported: number}>
  readonly failures: FuzzFailure[]
  readonly failureCount: number
}

const job = workerData as FuzzJob
const progress = new Int32Array(job.progress)
const current = new Uint8Array(job.current)

let biggestAlloc = 0
for (const name of ['alloc', 'allocUnsafe', 'allocUnsafeSlow'] as const) {
  const original = Buffer[name] as (size: number, ...rest: unknown[]) => Buffer
  ;(Buffer as unknown as Record<string, unknown>)[name] = function (size: number, ...rest: unknown[]): Buffer {
    if (typeof size === 'number' && size > biggestAlloc) biggestAlloc = size
    return original.call(Buffer, size, ...rest)
  }
}

const byDecoder: FuzzReport['byDecoder'] = {}
const failures: FuzzFailure[] = []
let failureCount = 0
let decodes = 0

function setCurrent(text: string): void {
  const bytes = Buffer.from(text.slice(0, 480))
  current.fill(0)
  current.set(bytes)
}

/** Runs one decoder on one input and judges the outcome; returns the error code, or 'ok'. */
function judge(input: number, decoder: string, how: string, bytes: Buffer, fn: () => void, allowed: readonly string[] = [ErrorCode.CORRUPTION, ErrorCode.UNSUPPORTED]): string {
  setCurrent(`input #${input} (${how}, ${bytes.length} bytes) in ${decoder}`)
  const tally = (byDecoder[decoder] ??= {ok: 0, corruption: 0, unsupported: 0})
  decodes++
  biggestAlloc = 0
  let problem: string | undefined
  let outcome = 'ok'
  try {
    fn()
    tally.ok++
  } catch (err) {
    outcome = err instanceof StrataError ? err.code : 'foreign'
    if (err instanceof StrataError && allowed.includes(err.code)) {
      if (err.code === ErrorCode.UNSUPPORTED) tally.unsupported++
      else tally.corruption++
    } else {
      problem = `threw ${err instanceof StrataError ? `StrataError ${err.code}` : (err as Error)?.name ?? typeof err}: ${(err as Error)?.message ?? String(err)}`
    }
  }
  const limit = Math.max(4 * 1024 * 1024, 64 * bytes.length)
  if (problem === undefined && biggestAlloc > limit) problem = `allocated ${biggestAlloc} bytes for a ${bytes.length}-byte input`
  if (problem !== undefined) fail({input, decoder, how, problem, head: bytes.subarray(0, 96).toString('hex')})
  return outcome
}

function fail(f: FuzzFailure): void {
  failureCount++
  if (failures.length < 25) failures.push(f)
}

/**
 * Differential check: the engine verifies checksums and the Kaitai parsers
 * do not, so whatever the engine accepts whole, the parser must accept too.
 */
function differential(input: number, kind: FuzzKind, how: string, bytes: Buffer, outcomes: readonly string[]): void {
  if (kind === 'entry' || outcomes.length !== 2) return
  const [engine, kaitai] = outcomes
  if (engine !== 'ok' || kaitai === 'ok') return
  if (kind === 'wal' && decodeWal(bytes, 'fuzz.wal').tornTail !== undefined) return
  fail({input, decoder: `engine vs kaitai (${kind})`, how, problem: `the engine decodes it, the Kaitai parser fails with ${kaitai}`, head: bytes.subarray(0, 96).toString('hex')})
}

const tableFs = new FaultFileSystem()
const TABLE_PATH = '/fuzz/000001.sst'

function readTable(bytes: Buffer): void {
  tableFs.writeFileDurable(TABLE_PATH, bytes)
  const t = TableReader.open(tableFs, TABLE_PATH)
  try {
    let n = 0
    for (const e of t.entries()) n += e.key.length
    for (const e of t.entries({reverse: true})) n += e.key.length
    for (const ix of t.index) t.get(ix.lastKey)
    void n
  } finally {
    t.close()
  }
}

function decodersFor(kind: FuzzKind | 'random'): Array<[string, (b: Buffer) => void]> {
  const all: Record<FuzzKind, Array<[string, (b: Buffer) => void]>> = {
    wal: [
      ['engine decodeWal', (b) => void decodeWal(b, 'fuzz.wal')],
      ['kaitai parseWal', (b) => void parseWal(b, 'fuzz.wal')],
    ],
    sst: [
      ['engine TableReader', readTable],
      ['kaitai parseSstable', (b) => {
        const t = parseSstable(b, 'fuzz.sst')
        for (let i = 0; i < t.index.entries.length; i++) dataBlock(t, i)
      }],
    ],
    manifest: [
      ['engine decodeManifest', (b) => void decodeManifest(b, 'MANIFEST-000001')],
      ['kaitai parseManifest', (b) => void parseManifest(b, 'MANIFEST-000001')],
    ],
    store: [
      ['engine decodeDescriptor', (b) => void decodeDescriptor(b, 'STORE')],
      ['kaitai parseStore', (b) => void parseStore(b, 'STORE')],
    ],
    entry: [['engine decodeEntry', (b) => void decodeEntry(new ByteReader(b, 'entry'))]],
  }
  return kind === 'random' ? Object.values(all).flat() : all[kind]
}

/** Damages one file of the seed store and checks that verify and a read-only open cope. */
async function storeInput(input: number, rng: Rng, base: FaultFileSystem, dir: string, seeds: readonly Seed[]): Promise<void> {
  const files = seeds.filter((s) => s.kind !== 'entry' && s.name.startsWith('none/'))
  const target = rng.pick(files)
  const m = mutate(rng, target, files.filter((s) => s.kind === target.kind))
  const how = `${target.name}: ${m.how}`
  const fs = base.snapshot()
  fs.writeFileDurable(`${dir}/${target.name.slice('none/'.length)}`, m.bytes)
  void judge(input, 'verifyStore', how, m.bytes, () => {
    const report = verifyStore(dir, {fs})
    const bug = report.findings.find((f) => /bug in strata verify/.test(f.message))
    if (bug !== undefined) throw new Error(`verify reported its own failure: ${bug.message}`)
    // Damage found counts as a CORRUPTION outcome.
    if (!report.ok) throw new StrataError(ErrorCode.CORRUPTION, 'verify found errors')
  }, [ErrorCode.CORRUPTION, ErrorCode.NOT_A_STORE, ErrorCode.UNSUPPORTED])
  setCurrent(`input #${input} (${how}) in open + scan`)
  let problem: string | undefined
  let code: string | undefined
  try {
    const s = await open(dir, {fs, readOnly: true})
    try {
      for (const kv of s.scanSync()) s.getSync(kv.key)
      s.stats()
    } finally {
      await s.close()
    }
  } catch (err) {
    if (err instanceof StrataError) code = err.code
    if (!(err instanceof StrataError && ([ErrorCode.CORRUPTION, ErrorCode.UNSUPPORTED, ErrorCode.NOT_A_STORE] as string[]).includes(err.code))) {
      problem = `threw ${err instanceof StrataError ? `StrataError ${err.code}` : (err as Error)?.name}: ${(err as Error)?.message}`
    }
  }
  decodes++
  const tally = (byDecoder['store open + scan'] ??= {ok: 0, corruption: 0, unsupported: 0})
  if (problem === undefined) {
    if (code === undefined) tally.ok++
    else if (code === ErrorCode.UNSUPPORTED) tally.unsupported++
    else tally.corruption++
  } else {
    failureCount++
    if (failures.length < 25) failures.push({input, decoder: 'store open + scan', how, problem, head: ''})
  }
}

async function main(): Promise<void> {
  const rng = new Rng(job.seed)
  const {fs, dir, seeds} = await buildSeedStore(rng.seed(), job.root)
  const byKind = new Map<FuzzKind, Seed[]>()
  for (const s of seeds) byKind.set(s.kind, [...(byKind.get(s.kind) ?? []), s])
  const weights: Array<[FuzzKind | 'random' | 'seed', number]> = [['wal', 24], ['sst', 30], ['manifest', 14], ['store', 12], ['entry', 14], ['random', 4], ['seed', 2]]
  const totalWeight = weights.reduce((s, [, w]) => s + w, 0)
  const fileInputs = job.inputs - job.storeInputs
  for (let i = 0; i < fileInputs; i++) {
    let pick = rng.int(totalWeight)
    let kind: FuzzKind | 'random' | 'seed' = 'wal'
    for (const [k, w] of weights) {
      if (pick < w) {
        kind = k
        break
      }
      pick -= w
    }
    if (kind === 'random') {
      const bytes = rng.bytes(rng.int(rng.chance(0.3) ? 16 : 2048))
      for (const [name, fn] of decodersFor('random')) judge(i, name, 'random bytes', bytes, () => fn(bytes))
    } else if (kind === 'seed') {
      // Unmodified seeds must decode (a sanity check of the harness itself).
      const s = rng.pick(seeds)
      for (const [name, fn] of decodersFor(s.kind)) judge(i, name, `unmodified ${s.name}`, s.bytes, () => fn(s.bytes), [])
    } else {
      const pool = byKind.get(kind)!
      const s = rng.pick(pool)
      const m = mutate(rng, s, pool)
      const how = `${s.name}: ${m.how}`
      const outcomes = decodersFor(kind).map(([name, fn]) => judge(i, name, how, m.bytes, () => fn(m.bytes)))
      differential(i, kind, how, m.bytes, outcomes)
    }
    Atomics.store(progress, 0, i + 1)
  }
  for (let i = fileInputs; i < job.inputs; i++) {
    await storeInput(i, rng, fs, dir, seeds)
    Atomics.store(progress, 0, i + 1)
  }
  const report: FuzzReport = {inputs: job.inputs, decodes, byDecoder, failures, failureCount}
  parentPort!.postMessage(report)
}

main().catch((err) => {
  parentPort!.postMessage({crashed: `${(err as Error)?.stack ?? String(err)}`})
})
