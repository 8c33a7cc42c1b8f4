/**
 * One shard: CURRENT, the manifest it names, every file that manifest
 * lists, and the files it does not (orphans, reported as warnings).
 *
 * Safe while a writer runs: files are only read, each in one read. A flush
 * or compaction switches CURRENT to a new manifest before it deletes the
 * files the old one listed, so a listed file that is missing while CURRENT
 * still names the same manifest is missing for real (an error); if CURRENT
 * has changed, the shard is checked again from the new manifest, a few
 * times at most. When no manifest can be trusted, the shard's tables and
 * WALs are still checked on their own.
 *
 * @internal
 */
import {CURRENT_FILE, CURRENT_TMP_FILE, manifestFileName, parseFileName, shardDirName, tableFileName, walFileName} from '../layout/names.js'
import {liveFileNames} from '../layout/live-files.js'
import {readConsistently} from '../store/consistent-read.js'
import {absPath, guarded, readWhole, relPath, reporter, type VerifyContext} from './context.js'
import type {FileReporter} from './findings.js'
import {checkManifest, parseCurrent, type ListedTable, type LiveManifest} from './manifest-check.js'
import {checkSst, type TableProperties} from './sst-check.js'
import {checkWal} from './wal-check.js'
import {ShadowedKeys} from './shadowed-keys.js'
import {keyRange} from './key-range.js'

/** The shard's CURRENT changed while it was being checked: start it again. */
class ShardChanged extends Error {
  constructor() {
    super('the shard changed while it was being checked')
    this.name = 'ShardChanged'
  }
}

const isShardChanged = (err: unknown): boolean => err instanceof ShardChanged

/** Attempts per shard before giving up on a shard a writer keeps changing. */
const MAX_ATTEMPTS = 10

/** Checks shard `shard`; see the module comment. */
export function checkShard(ctx: VerifyContext, shard: number, shardCount: number): void {
  const once = (): void => {
    const mark = ctx.sink.mark()
    try {
      checkShardOnce(ctx, shard, shardCount)
    } catch (err) {
      // Findings of an attempt that is started over do not count.
      if (isShardChanged(err)) ctx.sink.rollback(mark)
      throw err
    }
  }
  try {
    readConsistently(once, isShardChanged, {retries: MAX_ATTEMPTS - 1, delayMs: (failed) => Math.min(5 * failed, 50)})
  } catch (err) {
    if (!isShardChanged(err)) throw err
    const current = relPath(shardDirName(shard, ctx.generation), CURRENT_FILE)
    reporter(ctx, current, undefined, 'manifest.replay').warning('manifest.replay', 0,
      `the shard's manifest changed ${MAX_ATTEMPTS} times while it was being checked (a writer is flushing or compacting); it was not checked`)
  }
}

function checkShardOnce(outer: VerifyContext, shard: number, shardCount: number): void {
  // A shard-rebalance leaves shadowed keys in the shards it kept: placement is judged per shard then.
  const shadow = outer.generation > 0 && outer.placementShards !== undefined ? new ShadowedKeys(shard, outer.placementShards) : undefined
  const ctx: VerifyContext = shadow === undefined ? outer : {...outer, shadow}
  checkShardFiles(ctx, shard, shardCount)
  shadow?.report(ctx)
}

function checkShardFiles(ctx: VerifyContext, shard: number, shardCount: number): void {
  const dir = shardDirName(shard, ctx.generation)
  const currentRel = relPath(dir, CURRENT_FILE)
  const rc = reporter(ctx, currentRel, undefined, 'manifest.replay')
  if (!ctx.fs.isDirectory(absPath(ctx, dir))) {
    rc.error('manifest.replay', 0, `the shard directory ${dir} is missing (STORE has ${shardCount} shard${shardCount === 1 ? '' : 's'})`)
    return
  }
  let names: string[]
  try {
    names = ctx.fs.readdir(absPath(ctx, dir)).sort()
  } catch (err) {
    rc.error('manifest.replay', 0, `cannot list ${dir}: ${(err as NodeJS.ErrnoException)?.code ?? String(err)}`)
    return
  }
  const current = readWhole(ctx, currentRel)
  if (!('buf' in current)) {
    rc.error('manifest.replay', 0, 'missing' in current ? 'CURRENT is missing: nothing names the shard\'s live manifest' : current.failed)
    standalone(ctx, shard, dir, names)
    return
  }
  ctx.sink.counts.files++
  const named = parseCurrent(current.buf)
  ctx.progress(currentRel)
  if (typeof named === 'string') {
    reporter(ctx, currentRel, current.buf.length, 'manifest.replay').error('manifest.replay', 0, named)
    standalone(ctx, shard, dir, names)
    return
  }
  const unchanged = (): void => ensureUnchanged(ctx, currentRel, current.buf)
  const manifestName = manifestFileName(named)
  const manifestRel = relPath(dir, manifestName)
  const read = readWhole(ctx, manifestRel)
  if (!('buf' in read)) {
    // A writer deletes the old manifest only after switching CURRENT: if CURRENT changed, start again.
    if ('missing' in read) unchanged()
    reporter(ctx, currentRel, current.buf.length, 'manifest.replay').error('manifest.replay', 0,
      'missing' in read ? `CURRENT names ${manifestName}, which does not exist` : `${manifestName}: ${read.failed}`)
    standalone(ctx, shard, dir, names.filter((n) => n !== manifestName))
    return
  }
  ctx.sink.counts.files++
  ctx.sink.counts.manifests++
  const rm = reporter(ctx, manifestRel, read.buf.length, 'manifest.replay')
  let live: LiveManifest | undefined
  guarded(rm, () => {
    live = checkManifest(rm, read.buf, shard, named)
  })
  ctx.progress(manifestRel)
  if (live === undefined) {
    standalone(ctx, shard, dir, names.filter((n) => n !== manifestName))
    return
  }
  const m: LiveManifest = live
  const liveNames = new Set([CURRENT_FILE, ...liveFileNames(named, m)])
  if (m.walNumber !== 0) {
    const walName = walFileName(m.walNumber)
    const wal = readWhole(ctx, relPath(dir, walName))
    if ('missing' in wal) {
      unchanged()
      rm.error('manifest.replay', m.walOffset, `the manifest names the WAL ${walName}, which does not exist`)
    } else {
      checkWalFile(ctx, shard, relPath(dir, walName), wal, m.lastSeq)
    }
  }
  for (const t of m.tables) {
    const name = tableFileName(t.fileNumber)
    const table = readWhole(ctx, relPath(dir, name))
    if ('missing' in table) {
      unchanged()
      rm.error('manifest.replay', t.offset, `the manifest lists the table ${name}, which does not exist`)
    } else {
      checkTableFile(ctx, shard, relPath(dir, name), table, t, rm)
    }
  }
  for (const name of names) {
    const kind = parseFileName(name)?.kind
    if ((kind === undefined || liveNames.has(name)) && name !== CURRENT_TMP_FILE) continue
    reporter(ctx, relPath(dir, name), undefined, 'manifest.replay').warning('manifest.replay', 0,
      `orphan: ${kind === undefined ? 'a CURRENT switch left this temporary file' : `this ${kind === 'sst' ? 'table' : kind === 'wal' ? 'WAL' : 'manifest'} is not listed by the live ${manifestName}`}; the next writer deletes it`)
  }
}

/** Throws ShardChanged if CURRENT no longer holds `was`. */
function ensureUnchanged(ctx: VerifyContext, currentRel: string, was: Buffer): void {
  const now = readWhole(ctx, currentRel)
  if (!('buf' in now) || !now.buf.equals(was)) throw new ShardChanged()
}

type Read = ReturnType<typeof readWhole>

function checkWalFile(ctx: VerifyContext, shard: number, rel: string, read: Read, lastSeq: number | undefined): void {
  if ('missing' in read) return
  if ('failed' in read) {
    reporter(ctx, rel, undefined, 'wal.crc').error('wal.crc', 0, read.failed)
    return
  }
  ctx.sink.counts.files++
  ctx.sink.counts.wals++
  const r = reporter(ctx, rel, read.buf.length, 'wal.crc')
  guarded(r, () => {
    ctx.sink.counts.entries += checkWal(r, read.buf, {shard, placementShards: ctx.placementShards, lastSeq, ...(ctx.shadow ? {shadow: {keys: ctx.shadow, file: rel}} : {})}).entries
  }, isShardChanged)
  ctx.progress(rel)
}

function checkTableFile(ctx: VerifyContext, shard: number, rel: string, read: Read, listed: ListedTable | undefined, rm: FileReporter | undefined): void {
  if ('missing' in read) return
  if ('failed' in read) {
    reporter(ctx, rel, undefined, 'sst.footer').error('sst.footer', 0, read.failed)
    return
  }
  ctx.sink.counts.files++
  ctx.sink.counts.tables++
  const buf = read.buf
  const r = reporter(ctx, rel, buf.length, 'sst.footer')
  if (listed !== undefined && buf.length !== listed.fileSize) {
    r.as('manifest.replay', () => r.error('manifest.replay', Math.min(buf.length, listed.fileSize),
      `the table is ${buf.length} bytes, but the manifest lists it with ${listed.fileSize}`))
  }
  guarded(r, () => {
    const facts = checkSst(r, buf, {shard, placementShards: ctx.placementShards, quick: ctx.quick, ...(ctx.shadow ? {shadow: {keys: ctx.shadow, file: rel}} : {})})
    ctx.sink.counts.entries += facts.entries
    if (listed !== undefined && rm !== undefined && facts.properties !== undefined) {
      rm.as('sst.properties', () => compareWithManifest(rm, listed, facts.properties!, rel.slice(rel.lastIndexOf('/') + 1)))
    }
  }, isShardChanged)
  ctx.progress(rel)
}

/** sst.properties: the manifest's table metadata against the table's own properties. */
function compareWithManifest(rm: FileReporter, t: ListedTable, p: TableProperties, name: string): void {
  const pairs: Array<[string, number, number]> = [
    ['entries', t.entries, p.entries],
    ['min_seq', t.minSeq, p.minSeq],
    ['max_seq', t.maxSeq, p.maxSeq],
    ['level', t.level, p.level],
  ]
  for (const [field, listed, actual] of pairs) {
    if (listed !== actual) rm.error('sst.properties', t.offset, `table ${name}: the manifest says ${field} ${listed}, the table's properties say ${actual}`)
  }
  if (!t.smallestKey.equals(p.smallestKey)) {
    rm.error('sst.properties', t.offset, `table ${name}: the manifest's smallest_key differs from the table's`, keyRange(t.smallestKey, p.smallestKey))
  }
  if (!t.largestKey.equals(p.largestKey)) {
    rm.error('sst.properties', t.offset, `table ${name}: the manifest's largest_key differs from the table's`, keyRange(t.largestKey, p.largestKey))
  }
}

/** Checks the shard's tables and WALs on their own when no manifest can be trusted. */
function standalone(ctx: VerifyContext, shard: number, dir: string, names: readonly string[]): void {
  for (const name of names) {
    const kind = parseFileName(name)?.kind
    if (kind === 'wal') checkWalFile(ctx, shard, relPath(dir, name), readWhole(ctx, relPath(dir, name)), undefined)
    else if (kind === 'sst') checkTableFile(ctx, shard, relPath(dir, name), readWhole(ctx, relPath(dir, name)), undefined, undefined)
  }
}
