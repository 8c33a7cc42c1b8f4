/**
 * Shared by the verify tests: a realistic store built by the engine, its
 * contents as the engine reads them, and the byte regions (records, blocks)
 * of every file, computed from the pristine files with the Kaitai parsers.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import {createHash} from 'node:crypto'
import {createStore, ErrorCode, open, StrataError, type FileSystem, type Store} from '../../src/index.js'
import {nodeFileSystem} from '../../src/vfs/node-fs.js'
import {parseSstable, parseWal} from '../../src/kaitai/index.js'

/** The clock the store is written with, and the one it is read with (some TTLs have expired by then). */
export const WRITE_CLOCK = 1_700_000_000_000
export const READ_CLOCK = WRITE_CLOCK + 3_600_000

/** Deterministic pseudo-random bytes. */
export function pseudoRandom(seed: string, n: number): Buffer {
  const out: Buffer[] = []
  let h: Buffer = Buffer.from(seed)
  let total = 0
  while (total < n) {
    h = createHash('sha256').update(h).digest()
    out.push(h)
    total += h.length
  }
  return Buffer.concat(out).subarray(0, n)
}

/** Every key the workload writes (some end up deleted or expired). */
export function workloadKeys(): Buffer[] {
  const keys: Buffer[] = []
  for (let i = 0; i < 220; i++) keys.push(Buffer.from(`user:${String(i).padStart(4, '0')}`))
  for (let i = 0; i < 24; i++) keys.push(pseudoRandom(`bin${i}`, 1 + (i % 13)))
  keys.push(Buffer.from([0x00]), Buffer.from([0xff]), Buffer.from([0x00, 0xff, 0x00]), Buffer.from('key\x00nul'), Buffer.from('big'))
  for (let i = 0; i < 90; i++) keys.push(Buffer.from(`late:${i}`))
  return keys
}

/**
 * Builds a store with the engine: several shards, many flushes (a small
 * walFlushBytes), overwrites, deletes, batches, TTLs (some expired at
 * READ_CLOCK), JSON values, binary keys, a value larger than a block, one
 * compaction, then level-0 tables above the compacted one, and data left in
 * each WAL. With zlib, text values compress and random ones do not, so the
 * tables hold both block kinds.
 */
export async function buildStore(dir: string, compression: 'zlib' | 'none', shards = 3): Promise<void> {
  await createStore(dir, {shards, compression})
  let clock = WRITE_CLOCK - 10 * 60_000
  const store = await open(dir, {sync: 'none', walFlushBytes: 6 * 1024, compactionTrigger: 1000, now: () => clock})
  const keys = workloadKeys()
  const value = (i: number, len: number): Buffer =>
    i % 3 === 0 ? pseudoRandom(`v${i}`, len) : Buffer.from(`value ${i} `.repeat(Math.ceil(len / 8)).slice(0, len))
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 249; i++) {
      const key = keys[i]
      if (i % 11 === 5) await store.put(key, value(i + round, 30 + (i % 60)), {ttlMs: round === 0 ? 1_000 : 100_000_000})
      else if (i % 13 === 7) await store.put(key, JSON.stringify({i, round}), {json: true})
      else await store.put(key, value(i * (round + 1), 10 + ((i * 7) % 150)))
    }
    for (let i = round; i < 220; i += 9) await store.delete(keys[i])
    await store.batch([
      {type: 'put', key: keys[220], value: value(round, 200)},
      {type: 'del', key: keys[221]},
      {type: 'put', key: Buffer.from([0xff, 0x00, round]), value: Buffer.alloc(0)},
      {type: 'put', key: 'batch:ttl', value: 'x', ttlMs: 5_000},
    ])
    clock += 60_000
  }
  await store.put('big', value(7, 9000))
  await store.flush()
  await store.compact()
  for (let i = 0; i < 90; i++) {
    const key = Buffer.from(`late:${i}`)
    if (i % 10 === 3) await store.put(key, value(i, 50), {ttlMs: 100_000_000})
    else await store.put(key, value(i, 20 + (i % 40)))
    if (i % 17 === 0) await store.delete(keys[i])
    if (i === 45) await store.flush()
  }
  // A multi-entry batch left in the WALs (one record per shard it touches).
  await store.batch([
    {type: 'put', key: keys[3], value: value(3, 70), ttlMs: 100_000_000},
    {type: 'del', key: keys[4]},
    {type: 'put', key: keys[230], value: value(5, 25)},
    {type: 'put', key: 'late:1', value: '{"x":1}', json: true},
  ])
  await store.close()
}

/** One live record as the engine reads it, comparable with deepEqual. */
export interface Stored {
  readonly value: string
  readonly expiresAt?: number
  readonly json: boolean
}

/** Key (hex) → what the engine returns for it, by scan. */
export type Contents = Map<string, Stored>

function stored(kv: {value: Buffer; expiresAt?: number; json: boolean}): Stored {
  return {value: kv.value.toString('hex'), json: kv.json, ...(kv.expiresAt === undefined ? {} : {expiresAt: kv.expiresAt})}
}

/**
 * The real filesystem, except that a missing file is an I/O error rather
 * than ENOENT: a read-only view retries ENOENT for about a second (a writer
 * may be swapping files), which is pointless when a test deleted the file,
 * and the outcome - an error, never data - is the same.
 */
const noRetryFs: FileSystem = new Proxy(nodeFileSystem, {
  get(target, prop, receiver) {
    const v = Reflect.get(target, prop, receiver) as unknown
    if (typeof v !== 'function') return v
    return (...args: unknown[]) => {
      try {
        return (v as (...a: unknown[]) => unknown).apply(target, args)
      } catch (err) {
        if ((err as NodeJS.ErrnoException)?.code === 'ENOENT') throw Object.assign(new Error(`test: ${String((err as Error).message)}`), {code: 'EIO'})
        throw err
      }
    }
  },
})

/** Opens `dir` read-only at READ_CLOCK (missing files fail at once; see noRetryFs). */
export function openReader(dir: string): Promise<Store> {
  return open(dir, {readOnly: true, now: () => READ_CLOCK, fs: noRetryFs})
}

/** Everything a scan returns. */
export async function readContents(dir: string): Promise<Contents> {
  const store = await openReader(dir)
  try {
    const out: Contents = new Map()
    for (const kv of store.scanSync()) out.set(kv.key.toString('hex'), stored(kv))
    return out
  } finally {
    await store.close()
  }
}

/**
 * The codes a read of damaged data may fail with: CORRUPTION; NOT_A_STORE
 * without STORE; IO for a deleted file (see noRetryFs); UNSUPPORTED, which the
 * engine reports for a damaged format_version field of STORE, a manifest or a
 * WAL header (it checks the version before the checksum covering it).
 */
const REFUSALS: ReadonlySet<string> = new Set([ErrorCode.CORRUPTION, ErrorCode.NOT_A_STORE, ErrorCode.IO, ErrorCode.UNSUPPORTED])

/** A problem if `err` is not an allowed refusal. */
function refusalProblem(what: string, err: unknown): string | undefined {
  if (!(err instanceof StrataError)) return `${what} threw a foreign error: ${String(err)}`
  if (!REFUSALS.has(err.code)) return `${what} failed with ${err.code}: ${err.message}`
  return undefined
}

/**
 * What the engine returns for `keys` (by get) and for a full scan, compared
 * with `expected`. A refusal (REFUSALS) from open, get or scan is allowed;
 * anything else it returns must equal `expected`. Returns the problems found (empty: no wrong value), and
 * whether every read succeeded.
 */
export async function compareReads(dir: string, keys: readonly Buffer[], expected: Contents): Promise<{problems: string[]; allRead: boolean}> {
  const problems: string[] = []
  let allRead = true
  let store: Store
  try {
    store = await openReader(dir)
  } catch (err) {
    const p = refusalProblem('open', err)
    return {problems: p === undefined ? [] : [p], allRead: false}
  }
  try {
    // A shard that cannot be opened fails every get the same way: stop after a few.
    let lastError = ''
    let repeats = 0
    for (const key of keys) {
      if (repeats >= 3) break
      const hex = key.toString('hex')
      try {
        const kv = store.getSync(key)
        const want = expected.get(hex)
        const got = kv === undefined ? undefined : stored(kv)
        if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`get ${hex}: ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`)
      } catch (err) {
        const p = refusalProblem(`get ${hex}`, err)
        if (p !== undefined) problems.push(p)
        allRead = false
        repeats = String(err) === lastError ? repeats + 1 : 1
        lastError = String(err)
        continue
      }
      repeats = 0
    }
    const seen = new Set<string>()
    try {
      for (const kv of store.scanSync()) {
        const hex = kv.key.toString('hex')
        seen.add(hex)
        const want = expected.get(hex)
        if (JSON.stringify(stored(kv)) !== JSON.stringify(want)) problems.push(`scan ${hex}: ${JSON.stringify(stored(kv))}, expected ${JSON.stringify(want)}`)
      }
      for (const hex of expected.keys()) if (!seen.has(hex)) problems.push(`scan is missing ${hex}`)
    } catch (err) {
      const p = refusalProblem('scan', err)
      if (p !== undefined) problems.push(p)
      allRead = false
    }
  } finally {
    try {
      await store.close()
    } catch {
      // read-only close; nothing to lose
    }
  }
  return {problems, allRead}
}

/** A byte range [start, end) of a file: a record, a block, a header or footer. */
export interface Region {
  readonly start: number
  readonly end: number
  readonly what: string
}

/** The records or blocks of a pristine file, by kind; a whole-file region for STORE, CURRENT and manifests. */
export function regionsOf(name: string, buf: Buffer): Region[] {
  if (/\.wal$/.test(name)) {
    const wal = parseWal(buf, name)
    return [{start: 0, end: 20, what: 'header'}, ...wal.records.map((r, i) => ({start: r.ofs, end: r.endOfs, what: `record ${i}`}))]
  }
  if (/\.sst$/.test(name)) {
    const t = parseSstable(buf, name, {dataBlocks: 'skip'})
    const f = t.footer
    return [
      ...t.index.entries.map((e, i) => ({start: e.handle.offset, end: e.handle.endOfs, what: `data block ${i}`})),
      {start: f.filter.offset, end: f.filter.endOfs, what: 'filter block'},
      {start: f.properties.offset, end: f.properties.endOfs, what: 'properties block'},
      {start: f.index.offset, end: f.index.endOfs, what: 'index block'},
      {start: buf.length - 52, end: buf.length, what: 'footer'},
    ]
  }
  return [{start: 0, end: buf.length, what: 'file'}]
}

/** Every file below `dir`, relative, `/`-separated, sorted. */
export function listFiles(dir: string): string[] {
  const out: string[] = []
  const walk = (rel: string): void => {
    for (const name of fs.readdirSync(path.join(dir, rel)).sort()) {
      const r = rel === '' ? name : `${rel}/${name}`
      if (fs.statSync(path.join(dir, r)).isDirectory()) walk(r)
      else out.push(r)
    }
  }
  walk('')
  return out
}

/** Copies directory `from` to `to` (created). */
export function copyDir(from: string, to: string): void {
  fs.cpSync(from, to, {recursive: true})
}
