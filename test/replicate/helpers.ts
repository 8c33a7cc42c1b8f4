/**
 * What the replicate and restore tests share: a store with tables, WALs and
 * a schema; writes that open and close the store (so another process can
 * take cuts between them); the replica's files as the tests observe them.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import {createStore, digestStore, open, registerSchema} from '../../src/index.js'
import {prng} from '../../src/vfs/fault-fs.js'
import type {CliResult} from '../helpers/cli.js'

/** A store of `batches` × 50 records in 3 shards, flushed into several tables each, with a value schema and a WAL tail. */
export async function buildStore(dir: string, batches = 20, seed = 7): Promise<void> {
  await createStore(dir, {shards: 3})
  await registerSchema(dir, 'user', {version: 1, schema: {type: 'object'}})
  await writeBatches(dir, 'base', batches, seed, 24 * 1024)
}

/** Writes `batches` batches of 50 puts (keys `${tag}-…`, some overwriting) and closes the store. */
export async function writeBatches(dir: string, tag: string, batches: number, seed = 1, walFlushBytes?: number): Promise<void> {
  const s = await open(dir, {lockTimeoutMs: 30_000, ...(walFlushBytes === undefined ? {} : {walFlushBytes, compactionTrigger: 1000})})
  const random = prng(seed)
  try {
    for (let b = 0; b < batches; b++) {
      await s.batch(Array.from({length: 50}, (_, i) => {
        const n = Math.floor(random() * 100_000)
        return {type: 'put' as const, key: `${tag}-${String((b * 50 + i) % 700).padStart(5, '0')}`, value: `v${n}-${'x'.repeat(n % 200)}`}
      }))
    }
  } finally {
    await s.close()
  }
}

/** A few single puts, store closed afterwards. */
export async function putSome(dir: string, keys: readonly string[]): Promise<void> {
  const s = await open(dir, {lockTimeoutMs: 30_000})
  try {
    for (const k of keys) await s.put(k, `value of ${k}`)
  } finally {
    await s.close()
  }
}

/** The digest of the store in `dir` (read-only; no TTLs in these stores, so the instant does not matter). */
export async function digestOf(dir: string): Promise<string> {
  return (await digestStore(dir)).digest
}

/** Every file below `root`, as `/`-separated relative paths, sorted. */
export function filesBelow(root: string): string[] {
  const out: string[] = []
  const walk = (d: string, rel: string): void => {
    for (const name of fs.readdirSync(d)) {
      const p = path.join(d, name)
      if (fs.statSync(p).isDirectory()) walk(p, `${rel}${name}/`)
      else out.push(`${rel}${name}`)
    }
  }
  if (fs.existsSync(root)) walk(root, '')
  return out.sort()
}

/** The replica's cut descriptors, parsed, oldest first. */
export function cutsOf(replica: string): any[] {
  const dir = path.join(replica, 'cuts')
  if (!fs.existsSync(dir)) return []
  return fs.readdirSync(dir).sort().map((n) => JSON.parse(fs.readFileSync(path.join(dir, n), 'utf8')))
}

/** Throws with the run's stderr unless it exited `code`. */
export function expectExit(r: CliResult, code: number, what: string): CliResult {
  if (r.code !== code) throw new Error(`${what}: exit ${r.code}, expected ${code}: ${r.stderr.trim()}`)
  return r
}

/** The error code of a CLI run's JSON error report on stderr (`--format json`), or undefined. */
export function errorCodeOf(r: CliResult): string | undefined {
  try {
    return JSON.parse(r.stderr.trim().split('\n').at(-1) ?? '').error?.code
  } catch {
    return undefined
  }
}

/**
 * The rounds of writes the round-trip tests replicate after: none, a few
 * puts (WAL bytes only), batches that make new tables and a new WAL, a
 * delete and a compaction (tables replaced).
 */
export function writeRounds(dir: string, moreBatches = 8): (() => Promise<void>)[] {
  return [
    async () => {},
    () => putSome(dir, ['a', 'b', 'c']),
    () => writeBatches(dir, 'more', moreBatches, 3, 16 * 1024),
    async () => {
      const s = await open(dir)
      await s.delete('a')
      await s.compact()
      await s.close()
    },
  ]
}
