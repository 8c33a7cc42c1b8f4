/**
 * Stores for the rebalance tests: many keys with ~100-byte values written
 * through the library, and what to check after a rebalance (placement of
 * every live key, the digest, verify).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import {createStore, digestStore, open, verifyStore} from '../../src/index.js'
import {shardOf} from '../../src/util/hash.js'
import {shardVersions} from '../../src/store/open.js'
import {isLive, type Entry} from '../../src/record/format.js'
import {compareKeys} from '../../src/util/bytes.js'
import {nodeFileSystem} from '../../src/vfs/node-fs.js'
import {readDescriptor} from '../../src/store/descriptor.js'
import {shardContext} from '../../src/store/shard-context.js'
import {DEFAULT_POLICY} from '../../src/store/compaction.js'
import {buildTables} from '../../src/store/table-build.js'
import {readCurrent, switchManifest} from '../../src/manifest/current.js'
import {tempDir} from '../helpers/temp.js'
import type {ExecutionContext} from 'ava'

/** The key of record `i`. */
export const keyOf = (i: number): string => `key-${String(i).padStart(7, '0')}`

/** A value of about 100 bytes for record `i`. */
export const valueOf = (i: number): string => `value-${i}-`.padEnd(100, String.fromCharCode(97 + (i % 26)))

/** A store of `shards` shards holding `keys` records, flushed into tables. */
export async function filledStore(t: ExecutionContext, shards: number, keys: number, options: {deleteEvery?: number} = {}): Promise<string> {
  const dir = path.join(tempDir(t), 'db')
  await createStore(dir, {shards})
  const s = await open(dir, {sync: 'none'})
  for (let at = 0; at < keys; at += 5000) {
    const n = Math.min(5000, keys - at)
    await s.batch(Array.from({length: n}, (_, k) => ({type: 'put' as const, key: keyOf(at + k), value: valueOf(at + k)})))
  }
  if (options.deleteEvery !== undefined) {
    const dels = []
    for (let i = 0; i < keys; i += options.deleteEvery) dels.push({type: 'del' as const, key: keyOf(i)})
    await s.batch(dels)
  }
  await s.flush()
  await s.close()
  return dir
}

/** Every live key of the store sits in shard shardOf(key, shardCount): returns how many were checked. */
export async function assertPlacement(t: ExecutionContext, dir: string): Promise<number> {
  const s = await open(dir, {readOnly: true})
  let checked = 0
  let wrong = 0
  const now = Date.now()
  try {
    for (let i = 0; i < s.shardCount; i++) {
      for (const e of shardVersions(s, i)) {
        if (!isLive(e, now)) continue
        checked++
        if (shardOf(e.key, s.shardCount) !== i) wrong++
      }
    }
  } finally {
    await s.close()
  }
  t.is(wrong, 0, 'live keys in a shard they do not route to')
  // A scan merges the shards: every live key once (a kept shard's shadowing tombstones must not hide a moved key).
  const r = await open(dir, {readOnly: true})
  let scanned = 0
  try {
    for (const kv of r.scanSync()) if (shardOf(kv.key, r.shardCount) === kv.shard) scanned++
  } finally {
    await r.close()
  }
  t.is(scanned, checked, 'a scan returns every live key, from its shard')
  return checked
}

/** verify finds no error and no warning. */
export function assertVerifyClean(t: ExecutionContext, dir: string): void {
  const r = verifyStore(dir)
  t.deepEqual(r.findings, [], 'verify findings')
  t.true(r.ok)
}

/** The digest of the live data now. */
export async function digestOf(dir: string): Promise<string> {
  return (await digestStore(dir)).digest
}

/** Names of the shard folders in `dir`. */
export function shardFolders(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => n.startsWith('shard-')).sort()
}

/** Adds a level-0 table of `entries` (any shard; each goes to its own) to the closed store in `dir`. */
export function installRecords(dir: string, entries: Omit<Entry, 'seq'>[]): void {
  const fs = nodeFileSystem
  const desc = readDescriptor(fs, dir)
  for (let i = 0; i < desc.shardCount; i++) {
    const mine = entries.filter((e) => shardOf(e.key, desc.shardCount) === i).sort((a, b) => compareKeys(a.key, b.key))
    if (mine.length === 0) continue
    const ctx = shardContext(fs, dir, i, desc, Date.now, DEFAULT_POLICY)
    const {manifest} = readCurrent(fs, ctx.dir)
    let next = manifest.nextFileNumber
    let seq = manifest.lastSeq
    const built = buildTables(ctx, () => next++, mine.map((e) => ({...e, seq: ++seq})), 0, 'test')
    for (const b of built) b.reader.close()
    fs.syncDir(ctx.dir)
    const number = next++
    switchManifest(fs, ctx.dir, {...manifest, nextFileNumber: next, lastSeq: seq, tables: [...built.map((b) => b.meta), ...manifest.tables]}, number)
  }
}
