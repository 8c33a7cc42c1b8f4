/**
 * Shared by the verify tests: the contents of a store (helpers/rich-store.ts)
 * as the engine reads them, and the byte regions (records, blocks)
 * of every file, computed from the pristine files with the Kaitai parsers.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import {ErrorCode, open, StrataError, type FileSystem, type Store} from '../../src/index.js'
import {nodeFileSystem} from '../../src/vfs/node-fs.js'
import {parseSstable, parseWal} from '../../src/kaitai/index.js'
import {READ_CLOCK} from '../helpers/rich-store.js'

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
