/**
 * Shared by the dump and explain tests: stores built with the engine (every
 * file kind, both compressions, binary keys, TTLs, deletes, a compaction,
 * data left in the WAL), and the CLI run as a real child process.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import {createStore, open, type KeyValue} from '../../src/index.js'
import {fileKindOf} from '../../src/kaitai/index.js'
import {binaryKeys, pseudoRandom} from '../formats/helpers.js'
import {tempDir} from '../helpers/temp.js'

export {strata, strataAsync, type CliResult} from '../helpers/cli.js'
export {tempDir}

/** A key/value as the tests compare them: hex bytes, plus what a read returns. */
export interface Live {
  readonly key: string
  readonly value: string
  readonly json: boolean
  readonly expiresAt: number | null
  readonly shard: number
  readonly seq: number
}

export const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')

/** What the engine's scan returns, as Live records. */
export async function engineLive(dir: string): Promise<Live[]> {
  const store = await open(dir, {readOnly: true})
  try {
    return [...store.scanSync()].map(liveOf)
  } finally {
    await store.close()
  }
}

export function liveOf(kv: KeyValue): Live {
  return {key: hex(kv.key), value: hex(kv.value), json: kv.json, expiresAt: kv.expiresAt ?? null, shard: kv.shard, seq: kv.seq}
}

/** Names of the store's files below `dir`, relative, with their kind. */
export function storeFiles(dir: string): Array<{rel: string; path: string; kind: string}> {
  const out: Array<{rel: string; path: string; kind: string}> = []
  const walk = (d: string): void => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name)
      if (fs.statSync(p).isDirectory()) walk(p)
      else {
        const kind = name === 'CURRENT' ? 'current' : fileKindOf(name)
        if (kind !== undefined) out.push({rel: path.relative(dir, p), path: p, kind})
      }
    }
  }
  walk(dir)
  return out
}

/** The first file of `kind` in the store. */
export function firstFile(dir: string, kind: string, pick: (p: string) => boolean = () => true): string {
  const f = storeFiles(dir).find((x) => x.kind === kind && pick(x.path))
  if (f === undefined) throw new Error(`no ${kind} file in ${dir}`)
  return f.path
}

/**
 * A store built by the engine: 3 shards, small WAL (many flushes), binary
 * keys and values, overwrites, deletes, TTLs (live and already expired),
 * JSON values with spacing that re-serialising would lose, empty values, a
 * value larger than a block, a compaction, then level-0 tables above the
 * compacted level-1 ones and data left in the WAL.
 */
export async function buildStore(compression: 'zlib' | 'none'): Promise<string> {
  const dir = path.join(tempDir('strata-dump-'), 'db')
  await createStore(dir, {shards: 3, compression})
  const real = Date.now()
  let clock = real
  const store = await open(dir, {sync: 'none', walFlushBytes: 6 * 1024, compactionTrigger: 1000, now: () => clock})
  const value = (i: number, len: number): Buffer =>
    compression === 'zlib' ? Buffer.from(`value ${i} `.repeat(Math.ceil(len / 8)).slice(0, len)) : pseudoRandom(`v${i}`, len)
  const keys = binaryKeys()
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 150; i++) {
      const key = i % 5 === 0 ? keys[i % keys.length] : Buffer.from(`user:${String(i).padStart(4, '0')}`)
      if (i % 11 === 3) {
        // Written "a day ago" with a one-minute TTL: expired by now.
        clock = real - 86_400_000
        await store.put(key, value(i, 30), {ttlMs: 60_000})
        clock = real
      } else if (i % 7 === 2) {
        await store.put(key, value(i + round, 50 + (i % 30)), {ttlMs: 3_600_000 + i})
      } else if (i % 13 === 6) {
        await store.put(key, `{ "i": ${i},  "round": ${round} }`, {json: true})
      } else if (i % 17 === 9) {
        await store.put(key, Buffer.alloc(0))
      } else {
        await store.put(key, value(i * (round + 1), 10 + ((i * 7) % 150)))
      }
    }
    for (let i = 1; i < 150; i += 9) await store.delete(Buffer.from(`user:${String(i).padStart(4, '0')}`))
    await store.batch([
      {type: 'put', key: keys[1], value: Buffer.from([0, 1, 2, 0xff, round])},
      {type: 'del', key: keys[2]},
      {type: 'put', key: Buffer.from([0xff, 0x00, round]), value: Buffer.from([0x0a, 0x0d, 0x09, 0x5c])},
    ])
  }
  await store.put('big', value(7, 9000))
  await store.flush()
  await store.compact()
  for (let i = 0; i < 120; i++) {
    const key = Buffer.from(`late:${String(i).padStart(3, '0')}`)
    if (i % 10 === 7) {
      clock = real - 86_400_000
      await store.put(key, value(i, 25), {ttlMs: 60_000})
      clock = real
    } else {
      await store.put(key, value(i, 20 + (i % 40)), i % 10 === 3 ? {ttlMs: 7_200_000} : {})
    }
    if (i % 17 === 0) await store.delete(Buffer.from(`user:${String(i).padStart(4, '0')}`))
    if (i === 79) await store.flush()
  }
  await store.put('user:0002', 'newest, in the WAL')
  await store.close()
  return dir
}

/** Stores built once per test file and shared (read-only) by its tests. */
export const stores = new Map<'zlib' | 'none', Promise<string>>()
export function sharedStore(compression: 'zlib' | 'none'): Promise<string> {
  let p = stores.get(compression)
  if (p === undefined) stores.set(compression, (p = buildStore(compression)))
  return p
}
