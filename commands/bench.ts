import {existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {ErrorCode, createStore} from '../src/engine.js'
import {CliError, Flags, Progress, StrataCommand, cacheSizeFlag, compressionText, formatBytes, parseSize, progressFlag, type Format} from '../src/cli/index.js'

/** One measured workload. */
interface Measured {
  readonly ops: number
  readonly ms: number
  readonly perSec: number
  readonly unit: 'keys/s' | 'puts/s'
}

/** The workloads, in the order they run. JSON field names; written to scripts, never rename. */
const WORKLOADS = ['load', 'readSync', 'readAsync', 'scan', 'durablePut'] as const
type Workload = (typeof WORKLOADS)[number]

const LABELS: Record<Workload, string> = {
  load: 'load (batches of 1,000, unsynced)',
  readSync: 'random reads (getSync)',
  readAsync: 'random reads (await get)',
  scan: 'full ordered scan',
  durablePut: 'durable single puts (sync always)',
}

/** Key i: 16 bytes, "bench:" + 10 digits, so scan order is numeric order. */
function keyOf(i: number): Buffer {
  return Buffer.from(`bench:${String(i).padStart(10, '0')}`, 'latin1')
}

/** Value i: `size` pseudo-random (incompressible) bytes, a function of i only, so reads can be checked. */
function valueOf(i: number, size: number): Buffer {
  const out = Buffer.allocUnsafe(size)
  let s = Math.imul(i + 1, 0x9e3779b1) | 0
  for (let p = 0; p < size; ) {
    s = (s + 0x6d2b79f5) | 0
    let t = Math.imul(s ^ (s >>> 15), 1 | s)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    t = (t ^ (t >>> 14)) >>> 0
    for (let k = 0; k < 4 && p < size; k++, t >>>= 8) out[p++] = t & 0xff
  }
  return out
}

/** A seeded uniform chooser (mulberry32), so runs read the same keys. */
function chooser(seed: number): (n: number) => number {
  let s = seed | 0
  return (n) => {
    s = (s + 0x6d2b79f5) | 0
    let t = Math.imul(s ^ (s >>> 15), 1 | s)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n)
  }
}

function wrongRead(what: string): CliError {
  return new CliError(ErrorCode.CORRUPTION, `benchmark read back a wrong result: ${what}`, 'this is a bug or a failing disk; run "strata verify" on a store that matters')
}

/**
 * JSON output: {"dir", "keys", "keyBytes", "valueBytes", "shards", "compression", "cacheSizeBytes", "reads", "durablePuts",
 * "results": {"load"|"readSync"|"readAsync"|"scan"|"durablePut": {"ops", "ms", "perSec", "unit"}}, "kept": boolean}.
 */
export default class Bench extends StrataCommand {
  static override summary = 'Measure strata on this machine\'s disk: load, random reads, scan, durable puts.'
  static override description = `Creates a scratch store, loads --keys keys (16 B keys, --value-size B pseudo-random values) in random order in batches of 1,000 without syncing, reads --reads random keys with getSync and with await get, scans everything in order, then writes --durable-puts single puts that each wait for an fdatasync. Every value read is checked and the scan must return exactly --keys keys. Prints operations per second.

--dir must be absent or an empty directory: bench never writes into a directory that holds anything, so it cannot damage a store. Without --dir it uses a new temporary directory. The scratch store is deleted afterwards unless --keep is given. Unlike other commands, bench ignores $STRATA_DIR.

To compare with LevelDB and RocksDB, run "npm run bench" in a clone of the strata repository.`

  static override examples = [
    {description: 'Measure with 100,000 keys in a temporary directory.', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Measure the disk under ./scratch with a million keys (./scratch must be absent or empty).', command: '<%= config.bin %> <%= command.id %> --dir ./scratch --keys 1000000'},
    {description: 'Results as JSON for a script.', command: '<%= config.bin %> <%= command.id %> --keys 20000 --format json'},
  ]

  static override flags = {
    // Replaces the shared --dir: no $STRATA_DIR and no ./data default, which may name a real store.
    dir: Flags.string({
      char: 'd',
      summary: 'Scratch directory for the benchmark store: absent or empty (default: a new temporary directory).',
      helpValue: 'DIR',
    }),
    keys: Flags.integer({summary: 'Keys to load.', min: 1, max: 100_000_000, default: 100_000, helpValue: 'N'}),
    'value-size': Flags.integer({summary: 'Bytes per value.', min: 1, max: 1024 * 1024, default: 100, helpValue: 'BYTES'}),
    reads: Flags.integer({summary: 'Random reads per read workload (default: --keys, at most 200,000).', min: 1, helpValue: 'N'}),
    'durable-puts': Flags.integer({summary: 'Single puts in the durable workload.', min: 1, default: 1000, helpValue: 'N'}),
    shards: Flags.integer({summary: 'Shards of the scratch store, 1 to 1024.', min: 1, max: 1024, default: 4, helpValue: 'N'}),
    compression: Flags.option({options: ['lz', 'zlib', 'none'] as const, summary: 'Compression of SSTable data blocks.', default: 'lz' as const})(),
    'cache-size': cacheSizeFlag,
    keep: Flags.boolean({summary: 'Keep the scratch store afterwards (it is printed in the output).'}),
    progress: progressFlag,
  }

  protected override defaultFormat(): Format {
    return this.stdoutIsTTY ? 'table' : 'text'
  }

  async run(): Promise<void> {
    const {flags} = await this.parseCommand(Bench)
    const keys = flags.keys
    const valueBytes = flags['value-size']
    const reads = flags.reads ?? Math.min(keys, 200_000)
    const durablePuts = flags['durable-puts']
    const cacheSizeBytes = parseSize(flags['cache-size'], '--cache-size')
    const scratch = this.scratchDir(flags.dir)
    const results: Partial<Record<Workload, Measured>> = {}
    const out = this.output
    // Each workload's rate as soon as it is measured: no delay, no throttle.
    const shown = new Progress(out, flags.progress, {delayMs: 0, intervalMs: 0})
    const progress = (w: Workload, m: Measured): void => shown.update(`${LABELS[w]}: ${Math.round(m.perSec).toLocaleString('en-US')} ${m.unit}`)
    const measure = (w: Workload, ops: number, ms: number, unit: Measured['unit']): void => {
      results[w] = {ops, ms: round(ms), perSec: round((ops * 1000) / ms), unit}
      progress(w, results[w] as Measured)
    }

    try {
      await createStore(scratch.dir, {shards: flags.shards, compression: flags.compression})
      const pick = chooser(0x5eed)

      // Load: random order (a permutation), batches of 1,000, sync off; close() then syncs.
      const order = Array.from({length: keys}, (_, i) => i)
      for (let i = keys - 1; i > 0; i--) {
        const j = pick(i + 1)
        ;[order[i], order[j]] = [order[j], order[i]]
      }
      await this.using(await this.openWriter(scratch.dir, {sync: 'none', lockTimeoutMs: 0}), async (store) => {
        const t0 = performance.now()
        for (let b = 0; b < keys; b += 1000) {
          const ops = order.slice(b, b + 1000).map((i) => ({type: 'put' as const, key: keyOf(i), value: valueOf(i, valueBytes)}))
          await store.batch(ops)
        }
        measure('load', keys, performance.now() - t0, 'keys/s')
      })

      await this.using(await this.openWriter(scratch.dir, {sync: 'none', lockTimeoutMs: 0, cacheSizeBytes}), async (store) => {
        const check = (i: number, v: Buffer | undefined): void => {
          if (v === undefined || !v.equals(valueOf(i, valueBytes))) throw wrongRead(`key ${keyOf(i).toString('latin1')} ${v === undefined ? 'is missing' : 'has a wrong value'}`)
        }
        // Keys are chosen before timing; values are checked after it, so the checks cost nothing.
        const choose = (): number[] => Array.from({length: reads}, () => pick(keys))
        let chosen = choose()
        let got: Array<Buffer | undefined> = new Array(reads)
        let t0 = performance.now()
        for (let j = 0; j < reads; j++) got[j] = store.getSync(keyOf(chosen[j]))?.value
        measure('readSync', reads, performance.now() - t0, 'keys/s')
        for (let j = 0; j < reads; j++) check(chosen[j], got[j])

        chosen = choose()
        got = new Array(reads)
        t0 = performance.now()
        for (let j = 0; j < reads; j++) got[j] = (await store.get(keyOf(chosen[j])))?.value
        measure('readAsync', reads, performance.now() - t0, 'keys/s')
        for (let j = 0; j < reads; j++) check(chosen[j], got[j])

        let n = 0
        let prev: Buffer | undefined
        t0 = performance.now()
        for await (const kv of store.scan()) {
          if (prev !== undefined && Buffer.compare(prev, kv.key) >= 0) throw wrongRead(`scan returned ${kv.key.toString('latin1')} after ${prev.toString('latin1')}`)
          prev = kv.key
          n++
        }
        measure('scan', n, performance.now() - t0, 'keys/s')
        if (n !== keys) throw wrongRead(`the scan returned ${n} keys, ${keys} were loaded`)
      })

      await this.using(await this.openWriter(scratch.dir, {sync: 'always', lockTimeoutMs: 0}), async (store) => {
        const t0 = performance.now()
        for (let i = 0; i < durablePuts; i++) await store.put(keyOf(keys + i), valueOf(keys + i, valueBytes))
        measure('durablePut', durablePuts, performance.now() - t0, 'puts/s')
      })
    } finally {
      if (flags.keep !== true) scratch.remove()
    }

    await this.print({
      dir: scratch.dir, keys, keyBytes: 16, valueBytes, shards: flags.shards, compression: flags.compression, cacheSizeBytes, reads, durablePuts,
      results, kept: flags.keep === true,
    })
  }

  /**
   * The scratch directory: --dir if it is absent or an empty directory, else a
   * refusal; without --dir a new temporary directory. `remove` deletes only
   * what bench created.
   */
  private scratchDir(dir: string | undefined): {dir: string; remove: () => void} {
    if (dir === undefined) {
      const tmp = mkdtempSync(join(tmpdir(), 'strata-bench-'))
      return {dir: tmp, remove: () => rmSync(tmp, {recursive: true, force: true})}
    }
    const abs = resolve(dir)
    if (!existsSync(abs)) {
      try {
        mkdirSync(abs, {recursive: true})
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOTDIR') throw err
        throw new CliError(ErrorCode.INVALID_ARGUMENT, `--dir ${dir}: a parent is not a directory`, 'give an absent or empty directory for the scratch store')
      }
      return {dir: abs, remove: () => rmSync(abs, {recursive: true, force: true})}
    }
    if (!statSync(abs).isDirectory()) {
      throw new CliError(ErrorCode.INVALID_ARGUMENT, `--dir ${dir} is not a directory`, 'give an absent or empty directory for the scratch store')
    }
    const entries = readdirSync(abs)
    if (entries.includes('STORE')) {
      throw new CliError(ErrorCode.ALREADY_EXISTS, `--dir ${dir} holds a strata store; bench never writes into existing data`, 'give an absent or empty directory for the scratch store')
    }
    if (entries.length > 0) {
      throw new CliError(ErrorCode.INVALID_ARGUMENT, `--dir ${dir} is not empty (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}); bench only uses an absent or empty directory`, 'give an absent or empty directory for the scratch store')
    }
    return {
      dir: abs,
      remove: () => {
        for (const name of readdirSync(abs)) rmSync(join(abs, name), {recursive: true, force: true})
      },
    }
  }

  private async print(doc: {dir: string; keys: number; valueBytes: number; shards: number; compression: string; results: Partial<Record<Workload, Measured>>; kept: boolean} & Record<string, unknown>): Promise<void> {
    const out = this.output
    if (out.format === 'json' || out.format === 'ndjson') return out.document(doc, '')
    const rate = (m: Measured): string => `${Math.round(m.perSec).toLocaleString('en-US')} ${m.unit}`
    const secs = (m: Measured): string => `${(m.ms / 1000).toFixed(2)} s`
    const rows = WORKLOADS.flatMap((w) => {
      const m = doc.results[w]
      return m ? [[LABELS[w], m.ops.toLocaleString('en-US'), secs(m), rate(m)]] : []
    })
    const where = doc.kept ? `in ${doc.dir} (kept)` : `in ${doc.dir} (removed)`
    await out.line(`strata bench: ${doc.keys.toLocaleString('en-US')} keys, 16 B keys, ${formatBytes(doc.valueBytes)} values, ${doc.shards} shards, ${compressionText(doc.compression)}, ${where}`)
    if (out.format === 'table') {
      await out.table(['WORKLOAD', 'OPS', 'TIME', 'RATE'], rows, {align: ['left', 'right', 'right', 'right']})
      return
    }
    const width = Math.max(...rows.map((r) => r[0].length))
    for (const [label, ops, time, r] of rows) await out.line(`${`${label}:`.padEnd(width + 1)} ${r} (${ops} in ${time})`)
  }
}

function round(x: number): number {
  return Math.round(x * 10) / 10
}
