/**
 * Shared by the dump and explain tests: the rich test store in both
 * compressions, what the engine reads from it, its files, and the CLI run as
 * a real child process.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import {open, type KeyValue} from '../../src/index.js'
import {fileKindOf} from '../../src/kaitai/index.js'
import {buildRichStore} from '../helpers/rich-store.js'
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

/** The rich store (helpers/rich-store.ts) at the dump tests' size, written up to now so that the CLI reads it as tests run. */
export async function buildStore(compression: 'zlib' | 'none'): Promise<string> {
  const dir = path.join(tempDir('strata-dump-'), 'db')
  await buildRichStore(dir, {compression, userKeys: 150, lateKeys: 120, now: Date.now()})
  return dir
}

/** Stores built once per test file and shared (read-only) by its tests. */
export const stores = new Map<'zlib' | 'none', Promise<string>>()
export function sharedStore(compression: 'zlib' | 'none'): Promise<string> {
  let p = stores.get(compression)
  if (p === undefined) stores.set(compression, (p = buildStore(compression)))
  return p
}
