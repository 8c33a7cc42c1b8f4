/**
 * The corruption suite's harness. A pristine store is built once and copied
 * to a work directory; each case damages one file of the copy, runs
 * verifyStore in-process, judges the outcome, and restores that file.
 *
 * Outcomes (exactly one must hold):
 * - detected: an error finding names the damaged file (for a deleted file,
 *   the CURRENT or manifest naming it) at an offset inside a record or block
 *   the damage touched (boundaries from the pristine file);
 * - torn: a WAL lost its end (truncated, or zeroed to the end, or with an
 *   incomplete last record): verify reports no error, at most a wal.torn-tail
 *   warning at a record start, and the engine reads exactly what the
 *   pristine store holds with the WAL cut there (what the next writer keeps);
 * - harmless: no finding, and the engine reads exactly the pristine data.
 * In every case the engine never returns a wrong value: each get and scan
 * result is the expected one, or the read fails with a StrataError.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type {ExecutionContext} from 'ava'
import {verifyStore, type VerifyReport} from '../../src/index.js'
import {shardOf} from '../../src/util/hash.js'
import {tempDir} from '../helpers/temp.js'
import {buildRichStore, richStoreKeys} from '../helpers/rich-store.js'
import {compareReads, copyDir, listFiles, readContents, regionsOf, type Contents, type Region} from './helpers.js'

/** The pristine store and what the engine reads from it. */
export interface Pristine {
  readonly dir: string
  readonly shards: number
  readonly files: ReadonlyMap<string, Buffer>
  readonly contents: Contents
  /** Every key the workload wrote, live or not. */
  readonly keys: readonly Buffer[]
}

/** Builds the pristine store (zlib compression, 3 shards) and records its contents. */
export async function preparePristine(compression: 'zlib' | 'none' = 'zlib', shards = 3): Promise<Pristine> {
  const dir = path.join(tempDir('strata-verify-pristine-'), 'db')
  await buildRichStore(dir, {compression, shards})
  const files = new Map(listFiles(dir).filter((f) => f !== 'LOCK').map((f) => [f, fs.readFileSync(path.join(dir, f))] as const))
  const contents = await readContents(dir)
  return {dir, shards, files, contents, keys: richStoreKeys({compression, shards})}
}

/** The kind of a store file by its name. */
export function kindOf(rel: string): 'store' | 'current' | 'manifest' | 'wal' | 'sst' {
  const base = rel.slice(rel.lastIndexOf('/') + 1)
  if (base === 'STORE') return 'store'
  if (base === 'CURRENT') return 'current'
  if (base.startsWith('MANIFEST-')) return 'manifest'
  return base.endsWith('.wal') ? 'wal' : 'sst'
}

/** A way to damage one file. */
export type Damage =
  | {readonly type: 'bytes'; readonly buf: Buffer; readonly start: number; readonly end: number}
  | {readonly type: 'truncate'; readonly length: number}
  | {readonly type: 'delete'}

/** Tallies of outcomes, for the tests' sanity checks. */
export interface Tally {
  cases: number
  detected: number
  torn: number
  harmless: number
}

/**
 * The first byte `damage` really changed: zeroing bytes that were already
 * zero (a record may end in some) damages nothing, so a WAL whose torn tail
 * starts after them is cut where the damage begins.
 */
function firstChanged(pristineBuf: Buffer, damage: {readonly buf: Buffer; readonly start: number; readonly end: number}): number {
  for (let i = damage.start; i < damage.end; i++) if (damage.buf[i] !== pristineBuf[i]) return i
  return damage.end
}

/** How many judged cases ended in one of the three allowed outcomes (detected, torn tail, harmless). */
export function allowedOutcomes(tally: Tally): number {
  return tally.detected + tally.torn + tally.harmless
}

export class Bench {
  readonly work: string
  private readonly scratch: string
  private readonly oracles = new Map<string, Contents>()
  readonly tally: Tally = {cases: 0, detected: 0, torn: 0, harmless: 0}

  constructor(readonly pristine: Pristine) {
    const base = tempDir('strata-verify-work-')
    this.work = path.join(base, 'work')
    this.scratch = path.join(base, 'scratch')
    copyDir(pristine.dir, this.work)
    copyDir(pristine.dir, this.scratch)
  }

  /** Applies `damage` to `rel`, judges the outcome (failing `t` if it is none of the three), restores the file. */
  async judge(t: ExecutionContext, rel: string, damage: Damage, label: string): Promise<void> {
    const pristineBuf = this.pristine.files.get(rel)!
    const target = path.join(this.work, rel)
    if (damage.type === 'delete') fs.rmSync(target)
    else if (damage.type === 'truncate') fs.truncateSync(target, damage.length)
    else fs.writeFileSync(target, damage.buf)
    try {
      await this.judgeDamaged(t, rel, pristineBuf, damage, label)
    } finally {
      fs.writeFileSync(target, pristineBuf)
    }
  }

  private async judgeDamaged(t: ExecutionContext, rel: string, pristineBuf: Buffer, damage: Damage, label: string): Promise<void> {
    this.tally.cases++
    const what = `${rel}: ${label}`
    let report: VerifyReport
    try {
      report = verifyStore(this.work)
    } catch (err) {
      t.fail(`${what}: verifyStore threw ${String(err)}`)
      return
    }
    const errors = report.findings.filter((f) => f.severity === 'error')
    const keys = this.keysFor(rel)
    const touched = this.touchedRegions(rel, pristineBuf, damage)
    const expectedFile = damage.type === 'delete' ? namingFile(rel, this.pristine) : rel
    const hit = errors.find((f) => f.file === expectedFile && touched.some((r) => f.offset >= r.start && f.offset < r.end))
    if (hit !== undefined) {
      this.tally.detected++
      const {problems} = await compareReads(this.work, keys, this.pristine.contents)
      if (problems.length > 0) t.fail(`${what}: verify reported it, but the engine returned wrong data silently: ${problems.slice(0, 3).join('; ')}`)
      return
    }
    if (errors.length > 0) {
      t.fail(`${what}: verify's errors miss the damaged region ${JSON.stringify(touched.map((r) => r.what))} of ${expectedFile}: ${JSON.stringify(errors.slice(0, 3))}`)
      return
    }
    const mine = report.findings.filter((f) => f.file === rel)
    const torn = mine.find((f) => f.check === 'wal.torn-tail')
    if (kindOf(rel) === 'wal' && (torn !== undefined || damage.type === 'truncate')) {
      // The WAL lost its end: the engine keeps the records before the cut.
      const cut = torn?.offset ?? (damage.type === 'truncate' ? damage.length : pristineBuf.length)
      const starts = new Set(regionsOf(rel, pristineBuf).map((r) => r.start))
      if (!starts.has(cut) && cut !== pristineBuf.length) {
        t.fail(`${what}: the WAL ends at ${cut}, which is not a record boundary of the pristine WAL, yet verify found no error`)
        return
      }
      const firstDamaged = damage.type === 'truncate' ? damage.length : damage.type === 'bytes' ? firstChanged(pristineBuf, damage) : 0
      if (cut > firstDamaged) {
        t.fail(`${what}: torn tail reported at ${cut}, after the damage at ${firstDamaged}, yet no error`)
        return
      }
      this.tally.torn++
      const expected = await this.oracle(rel, pristineBuf, cut)
      const {problems, allRead} = await compareReads(this.work, keys, expected)
      if (problems.length > 0 || !allRead) t.fail(`${what}: torn at ${cut}, but the engine does not read the store as cut there: ${problems.slice(0, 3).join('; ') || 'a read failed'}`)
      return
    }
    if (mine.length > 0) {
      t.fail(`${what}: only warnings ${JSON.stringify(mine.slice(0, 3))}`)
      return
    }
    this.tally.harmless++
    const {problems, allRead} = await compareReads(this.work, keys, this.pristine.contents)
    if (problems.length > 0 || !allRead) t.fail(`${what}: verify found nothing, but the damage is not harmless: ${problems.slice(0, 3).join('; ') || 'a read failed'}`)
  }

  /** Records and blocks of the pristine file that the damage touches. */
  private touchedRegions(rel: string, pristineBuf: Buffer, damage: Damage): Region[] {
    if (damage.type === 'delete') {
      const naming = namingFile(rel, this.pristine)
      return [{start: 0, end: this.pristine.files.get(naming)?.length ?? 1, what: `${naming} (names the deleted file)`}]
    }
    const [start, end] = damage.type === 'truncate' ? [damage.length, pristineBuf.length] : [damage.start, damage.end]
    return regionsOf(rel, pristineBuf).filter((r) => r.start < Math.max(end, start + 1) && r.end > start)
  }

  /** Keys whose reads the damage to `rel` can affect: its shard's, or all for STORE. */
  private keysFor(rel: string): Buffer[] {
    const m = /^shard-(\d{4})\//.exec(rel)
    if (!m) return [...this.pristine.keys]
    const shard = Number(m[1])
    return this.pristine.keys.filter((k) => shardOf(k, this.pristine.shards) === shard)
  }

  /** What the engine reads from the pristine store with WAL `rel` cut at `cut`. */
  private async oracle(rel: string, pristineBuf: Buffer, cut: number): Promise<Contents> {
    const key = `${rel}@${cut}`
    let c = this.oracles.get(key)
    if (c === undefined) {
      const file = path.join(this.scratch, rel)
      fs.writeFileSync(file, pristineBuf.subarray(0, cut))
      try {
        c = await readContents(this.scratch)
      } finally {
        fs.writeFileSync(file, pristineBuf)
      }
      this.oracles.set(key, c)
    }
    return c
  }
}

/** The file that names `rel`: CURRENT for a manifest, the live manifest for a WAL or table, itself otherwise. */
export function namingFile(rel: string, pristine: Pristine): string {
  const kind = kindOf(rel)
  const dir = rel.slice(0, rel.lastIndexOf('/'))
  if (kind === 'manifest') return `${dir}/CURRENT`
  if (kind === 'wal' || kind === 'sst') {
    const current = pristine.files.get(`${dir}/CURRENT`)!.toString('latin1').trim()
    return `${dir}/${current}`
  }
  return rel
}

/** `buf` with bit `bit` of byte `at` flipped. */
export function flipped(buf: Buffer, at: number, bit: number): Buffer {
  const b = Buffer.from(buf)
  b[at] ^= 1 << bit
  return b
}

/** `buf` with [start, end) zeroed. */
export function zeroed(buf: Buffer, start: number, end: number): Buffer {
  const b = Buffer.from(buf)
  b.fill(0, start, end)
  return b
}

/** Deterministic offsets: `n` values in [0, len), spread by a fixed LCG. */
export function sampleOffsets(len: number, n: number, seed: number): number[] {
  let s = seed >>> 0 || 1
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0
    out.push(s % len)
  }
  return out
}
