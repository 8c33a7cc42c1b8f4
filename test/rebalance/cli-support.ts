/**
 * What the CLI tests of `strata shard-rebalance` share: running the CLI
 * steps they all take (init, load, digest, verify, scan, rebalance) and
 * reading the store's state from its files (STORE's shard count and
 * generation, the folders in the data directory). Every check goes through
 * the real CLI in a child process; the files are read only to observe.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import {decodeDescriptor} from '../../src/store/descriptor.js'
import {STORE_FILE} from '../../src/layout/names.js'
import {strata, strataAsync, type CliResult} from '../helpers/cli.js'

/** One instant at which every digest of a test judges expiry, so digests taken at different times compare. */
export const DIGEST_AT = String(Date.now())

/** Throws with the command and its stderr unless it exited `code`. */
export function expectExit(r: CliResult, code: number, what: string): CliResult {
  if (r.code !== code) throw new Error(`${what}: exit ${r.code}, expected ${code}: ${r.stderr.trim()}`)
  return r
}

/** `strata init --dir dir --shards n`. */
export function initStore(dir: string, shards: number): void {
  expectExit(strata(['init', '--dir', dir, '--shards', String(shards)]), 0, `init ${dir}`)
}

/** `strata put --batch file --dir dir`. */
export function loadBatch(dir: string, file: string): {puts: number; deletes: number} {
  return JSON.parse(expectExit(strata(['put', '--dir', dir, '--batch', file, '--format', 'json']), 0, `put --batch ${file}`).stdout)
}

/** The digest document of `strata digest --at DIGEST_AT --format json`. */
export interface DigestDoc {
  readonly digest: string
  readonly records: number
  readonly shardCount: number
}

/**
 * `strata digest` of the whole store, at DIGEST_AT, or at the time it runs with
 * `at: 'now'` (for stores whose records expire during the test: a rebalance
 * need not keep expired records, which a digest at an earlier instant counts).
 */
export function digestOf(dir: string, at: string = DIGEST_AT): DigestDoc {
  return parseDigest(strata(digestArgs(dir, at)), dir)
}

/** `digestOf`, without blocking this process. */
export async function digestOfAsync(dir: string, at: string = DIGEST_AT): Promise<DigestDoc> {
  return parseDigest(await strataAsync(digestArgs(dir, at)), dir)
}

const digestArgs = (dir: string, at: string): string[] => ['digest', '--dir', dir, ...(at === 'now' ? [] : ['--at', at]), '--format', 'json']

function parseDigest(r: CliResult, dir: string): DigestDoc {
  const d = JSON.parse(expectExit(r, 0, `digest ${dir}`).stdout) as DigestDoc
  return {digest: d.digest, records: d.records, shardCount: d.shardCount}
}

/** What `strata verify --format json` found: its exit code and error and warning counts. */
export interface VerifyResult {
  readonly code: number | null
  readonly errors: number
  readonly warnings: number
}

/** `strata verify --format json`. */
export function verifyOf(dir: string): VerifyResult {
  return parseVerify(strata(['verify', '--dir', dir, '--format', 'json']))
}

/** `verifyOf`, without blocking this process. */
export async function verifyOfAsync(dir: string): Promise<VerifyResult> {
  return parseVerify(await strataAsync(['verify', '--dir', dir, '--format', 'json']))
}

function parseVerify(r: CliResult): VerifyResult {
  const doc = JSON.parse(r.stdout) as {summary: {errors: number; warnings: number}}
  return {code: r.code, errors: doc.summary.errors, warnings: doc.summary.warnings}
}

/** One line of `scan --format ndjson`. */
export interface ScanRecord {
  readonly key: string
  readonly keyEncoding: string
  readonly value: unknown
  readonly valueEncoding: string
  readonly json: boolean
  readonly expiresAt: number | null
  readonly shard: number
}

/** The records of a `scan --format ndjson` output. */
export function parseScan(stdout: string): ScanRecord[] {
  return stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as ScanRecord)
}

/** A record as the user sees it: everything but where it is stored (shard, sequence number). */
export function recordText(r: ScanRecord): string {
  return JSON.stringify([r.key, r.keyEncoding, r.value, r.valueEncoding, r.json, r.expiresAt])
}

/** Every live record of the store as `recordText` lines, in scan order, through `strata scan`. */
export function contentsOf(dir: string): string[] {
  const r = expectExit(strata(['scan', '--dir', dir, '--format', 'ndjson', '--key-encoding', 'hex']), 0, `scan ${dir}`)
  return parseScan(r.stdout).map(recordText)
}

/** The run of `strata shard-rebalance --dir dir --shards m [extra…] --format json`. */
export function rebalance(dir: string, shards: number | string, extra: readonly string[] = []): CliResult {
  return strata(rebalanceArgs(dir, shards, extra))
}

/** `rebalance`, without blocking this process. */
export function rebalanceAsync(dir: string, shards: number | string, extra: readonly string[] = []): Promise<CliResult> {
  return strataAsync(rebalanceArgs(dir, shards, extra))
}

export function rebalanceArgs(dir: string, shards: number | string, extra: readonly string[] = []): string[] {
  return ['shard-rebalance', '--dir', dir, '--shards', String(shards), ...extra, '--format', 'json']
}

/** The fields of the JSON report that the contract names (a dry run reports what would move). */
export interface RebalanceReport {
  readonly from: number
  readonly to: number
  readonly keysTotal: number
  readonly keysMoved: number
  readonly bytesMoved: number
}

/** The report of a run that exited 0. */
export function reportOf(r: CliResult, what: string): RebalanceReport {
  const doc = JSON.parse(expectExit(r, 0, what).stdout) as RebalanceReport
  return {from: doc.from, to: doc.to, keysTotal: doc.keysTotal, keysMoved: doc.keysMoved, bytesMoved: doc.bytesMoved}
}

/** The `{code, message}` of a `--format json` error on stderr. */
export function jsonError(r: CliResult): {code: string; message: string} {
  const line = r.stderr.trim().split('\n').pop() ?? ''
  return (JSON.parse(line) as {error: {code: string; message: string}}).error
}

/** STORE's shard count and generation, read from the file (the commit point of a rebalance). */
export function storeState(dir: string): {shards: number; generation: number} {
  const file = path.join(dir, STORE_FILE)
  const d = decodeDescriptor(fs.readFileSync(file), file)
  return {shards: d.shardCount, generation: d.shardGeneration}
}

/** The names in the data directory, sorted, without LOCK (which any writer may create). */
export function entriesOf(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => n !== 'LOCK').sort()
}

/** A snapshot of the data directory without LOCK's entry (present or not, it holds no data). */
export function treeWithoutLock<T extends Record<string, string>>(tree: T): Record<string, string> {
  return Object.fromEntries(Object.entries(tree).filter(([p]) => p !== 'LOCK'))
}

/** NDJSON lines of `n` puts of distinct keys `prefix` + number, with values of varied length. */
export function putLines(prefix: string, n: number, valueSeed = 0): string {
  const lines: string[] = []
  for (let i = 0; i < n; i++) {
    const v = `v${valueSeed}-${(i * 7919 + valueSeed) % 100_003}-`.padEnd(12 + ((i * 31 + valueSeed) % 60), 'x')
    lines.push(JSON.stringify({key: `${prefix}${String(i).padStart(7, '0')}`, value: v}))
  }
  return lines.join('\n') + '\n'
}
