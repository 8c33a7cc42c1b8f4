/**
 * `strata shard-rebalance` grows and shrinks real stores of 50k keys through
 * the CLI: the digest is the same before and after, `verify` is clean, every
 * key is read from the shard `shardOf(key, M)` names, the moved fraction is
 * the jump hash's |M−N|/max(N,M) within one percentage point (and exactly the
 * number of keys whose shard changes), and a dry run reports exactly what the
 * real run then does while writing nothing. M = N changes nothing.
 */
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {shardOf} from '../../src/util/hash.js'
import {strata, strataAsync} from '../helpers/cli.js'
import {snapshotTree, tempDir} from '../helpers/temp.js'
import {
  digestOf, digestOfAsync, entriesOf, expectExit, initStore, loadBatch, parseScan, rebalance, reportOf, storeState, treeWithoutLock, verifyOfAsync,
} from './cli-support.js'
import {finishedEntries, isLiveShardDir} from './cli-layout.js'

const KEYS = 50_000

/** A key's bytes: most are text, every 40th is binary (given in hex). */
function keyOf(i: number): Buffer {
  if (i % 40 === 7) return Buffer.from([0xff, 0x00, i & 0xff, (i >> 8) & 0xff, (i >> 16) & 0xff, 0x80])
  return Buffer.from(`user:${String(i).padStart(6, '0')}`)
}

/** The value of key `i` written in load `round`. */
const valueOf = (i: number, round: number): Buffer => Buffer.from(`r${round}:${(i * 7919) % 100_003}:`.padEnd(16 + ((i * 31 + round) % 70), 'abcdefgh'))

function lineOf(i: number, round: number): string {
  return JSON.stringify({key: keyOf(i).toString('hex'), value: valueOf(i, round).toString('hex'), encoding: 'hex'})
}

/**
 * The shared input: FIRST puts every key; SECOND, loaded after a compaction,
 * overwrites every 7th key and deletes every 50th, so each store has tables,
 * WAL records, overwritten versions and tombstones.
 */
const inputs = tempDir('strata-rebalance-matrix-')
const FIRST = path.join(inputs, 'first.ndjson')
const SECOND = path.join(inputs, 'second.ndjson')
fs.writeFileSync(FIRST, Array.from({length: KEYS}, (_, i) => lineOf(i, 0)).join('\n') + '\n')
fs.writeFileSync(SECOND, Array.from({length: KEYS}, (_, i) => i).filter((i) => i % 7 === 3 || i % 50 === 11)
  .map((i) => i % 50 === 11 ? JSON.stringify({key: keyOf(i).toString('hex'), delete: true, encoding: 'hex'}) : lineOf(i, 1)).join('\n') + '\n')
/** The live keys after both loads, and their key + value bytes. */
const LIVE_INDEXES = Array.from({length: KEYS}, (_, i) => i).filter((i) => i % 50 !== 11)
const LIVE = LIVE_INDEXES.map((i) => keyOf(i))
const LIVE_BYTES = LIVE_INDEXES.map((i) => keyOf(i).length + valueOf(i, i % 7 === 3 ? 1 : 0).length)

/** The source → target matrix of keys and of bytes the live keys make from `n` to `m` shards. */
function expectedMatrix(n: number, m: number): {keys: number[][]; bytes: number[][]} {
  const grid = (): number[][] => Array.from({length: n}, () => new Array<number>(m).fill(0))
  const matrix = {keys: grid(), bytes: grid()}
  LIVE.forEach((key, j) => {
    const [s, t] = [shardOf(key, n), shardOf(key, m)]
    matrix.keys[s][t]++
    matrix.bytes[s][t] += LIVE_BYTES[j]
  })
  return matrix
}

/** A store of N shards holding the shared input. */
function loadedStore(root: string, shards: number): string {
  const dir = path.join(root, 'db')
  initStore(dir, shards)
  loadBatch(dir, FIRST)
  expectExit(strata(['compact', '--dir', dir]), 0, 'compact')
  loadBatch(dir, SECOND)
  return dir
}

const cases: Array<[number, number]> = [[1, 4], [4, 5], [8, 12], [8, 3], [16, 17], [5, 1]]

for (const [n, m] of cases) {
  // Serial: six stores of 50k keys at once would only compete for the same two cores.
  test.serial(`${n} → ${m} shards: same digest, clean verify, every key in shardOf(key, ${m}), minimal movement, dry run = real run`, async (t) => {
    t.timeout(120_000)
    const dir = loadedStore(tempDir(t), n)
    const before = digestOf(dir)
    t.is(before.records, LIVE.length)
    const start = storeState(dir)
    t.deepEqual(start, {shards: n, generation: 0})

    // What must move: the live keys whose shard changes.
    const moved = LIVE.filter((k) => shardOf(k, n) !== shardOf(k, m))
    const formula = Math.abs(m - n) / Math.max(n, m)

    const tree = treeWithoutLock(snapshotTree(dir))
    const dryRun = rebalance(dir, m, ['--dry-run'])
    const dry = reportOf(dryRun, 'dry run')
    t.deepEqual(treeWithoutLock(snapshotTree(dir)), tree, 'the dry run wrote nothing')
    t.is(dry.from, n)
    t.is(dry.to, m)
    t.is(dry.keysTotal, LIVE.length)
    t.is(dry.keysMoved, moved.length, 'the keys that change shard')
    const fraction = dry.keysMoved / dry.keysTotal
    t.true(Math.abs(fraction - formula) <= 0.01, `moved ${(fraction * 100).toFixed(2)}%, formula ${(formula * 100).toFixed(2)}%`)
    // The numbers come from the data: key + value bytes, and the source → target matrix.
    const movedBytes = LIVE.reduce((sum, k, j) => sum + (shardOf(k, n) !== shardOf(k, m) ? LIVE_BYTES[j] : 0), 0)
    t.is(dry.bytesMoved, movedBytes)
    const doc = JSON.parse(dryRun.stdout) as {bytesTotal: number; matrix: unknown}
    t.is(doc.bytesTotal, LIVE_BYTES.reduce((a, b) => a + b, 0))
    t.deepEqual(doc.matrix, expectedMatrix(n, m))

    const real = reportOf(rebalance(dir, m), 'rebalance')
    t.deepEqual(real, dry, 'the dry run reported what the real run did')
    t.deepEqual(storeState(dir), {shards: m, generation: start.generation + 1})

    // The readers, at once: digest, verify, a scan of every key, and explain of keys that moved and stayed.
    const stayed = LIVE.filter((k) => shardOf(k, n) === shardOf(k, m))
    const samples = [moved[0], moved[moved.length - 1], moved[Math.floor(moved.length / 2)], stayed[0], stayed[stayed.length - 1]]
      .filter((k) => k !== undefined)
    t.true(samples.length >= 3)
    const [after, v, scanRun, ...explained] = await Promise.all([
      digestOfAsync(dir), verifyOfAsync(dir), strataAsync(['scan', '--dir', dir, '--format', 'ndjson', '--key-encoding', 'hex']),
      ...samples.map((key) => strataAsync(['explain', key.toString('hex'), '--key-encoding', 'hex', '--dir', dir, '--format', 'json'])),
    ])
    t.is(after.digest, before.digest)
    t.is(after.records, before.records)
    t.is(after.shardCount, m)
    t.is(v.code, 0)
    t.is(v.errors, 0)
    t.is(v.warnings, 0, 'no leftovers of the old generation')
    t.deepEqual(entriesOf(dir), finishedEntries(m, start.generation + 1), 'only the new generation\'s folders are left')

    // Every key is read, from its shard.
    const scan = parseScan(expectExit(scanRun, 0, 'scan').stdout)
    const misplaced = scan.filter((r) => r.shard !== shardOf(Buffer.from(r.key, 'hex'), m))
    t.deepEqual(misplaced.slice(0, 5).map((r) => r.key), [], `${misplaced.length} keys read from another shard`)
    const read = new Set(scan.map((r) => r.key))
    const unread = LIVE.filter((k) => !read.has(k.toString('hex')))
    t.deepEqual(unread.slice(0, 5).map((k) => k.toString('hex')), [], `scan misses ${unread.length} of ${LIVE.length} keys`)
    t.is(scan.length, LIVE.length)

    // explain names the key's shard, and the version it finds lives in that shard's folder.
    samples.forEach((key, j) => {
      const r = explained[j]
      t.is(r.code, 0, r.stderr)
      const e = JSON.parse(r.stdout) as {shard: number; state: string; versions: Array<{file: string; status: string}>}
      t.is(e.shard, shardOf(key, m))
      t.is(e.state, 'live')
      const folder = path.basename(path.dirname(e.versions[0].file))
      t.true(isLiveShardDir(folder, m, start.generation + 1, e.shard), `${key.toString('hex')}: found in ${e.versions[0].file}`)
    })
    t.log(`${n}→${m}: moved ${dry.keysMoved} of ${dry.keysTotal} keys (${(fraction * 100).toFixed(2)}%, formula ${(formula * 100).toFixed(2)}%), ${dry.bytesMoved} bytes`)
  })
}

test.serial('M = N is a no-op: exit 0, nothing written', (t) => {
  const root = tempDir(t)
  const dir = path.join(root, 'db')
  initStore(dir, 6)
  const lines = path.join(root, 'lines.ndjson')
  fs.writeFileSync(lines, LIVE.slice(0, 2000).map((k, i) => JSON.stringify({key: k.toString('hex'), value: `v${i}`, keyEncoding: 'hex'})).join('\n') + '\n')
  loadBatch(dir, lines)
  const before = digestOf(dir)
  const tree = treeWithoutLock(snapshotTree(dir))
  for (const extra of [[], ['--dry-run']]) {
    const r = rebalance(dir, 6, extra)
    t.is(r.code, 0, r.stderr)
    const doc = JSON.parse(r.stdout) as {from: number; to: number; keysMoved: number}
    t.is(doc.from, 6)
    t.is(doc.to, 6)
    t.is(doc.keysMoved, 0)
    t.deepEqual(treeWithoutLock(snapshotTree(dir)), tree, `${['rebalance', ...extra].join(' ')} changed the directory`)
  }
  t.deepEqual(storeState(dir), {shards: 6, generation: 0})
  t.deepEqual(digestOf(dir), before)
})
