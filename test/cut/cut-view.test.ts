/**
 * Readers of a cut: a view opened on a cut (openCut), the digest of a cut and
 * the dump library's listings of one read exactly the store at the cut, while
 * the live store moves on: more writes into the same WAL, a flush, a
 * compaction that deletes the cut's tables.
 */
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {createStore, decodedLiveRecords, digestStore, open, openCut, type BatchOp, type Store, type StoreCut} from '../../src/index.js'
import {cutShardSnapshots} from '../../src/cut/index.js'
import {historyRecords} from '../../src/dump/history.js'
import {Problems} from '../../src/dump/checks.js'
import {shardDirName, tableFileName, walFileName} from '../../src/layout/names.js'
import {tempDir} from '../helpers/temp.js'

const HOUR = 3_600_000

/** key → [value, expiresAt, json] of the live records a scan of `s` returns, in scan order. */
function scanOf(s: Store): Array<[string, string, number | null, boolean]> {
  return [...s.scanSync()].map((kv) => [kv.key.toString(), kv.value.toString(), kv.expiresAt ?? null, kv.json])
}

/** The live records after `ops`, judged at `at`, in key order: what a scan at `at` returns. */
function stateOf(ops: readonly BatchOp[], at: number): Array<[string, string, number | null, boolean]> {
  const m = new Map<string, [string, string, number | null, boolean]>()
  for (const op of ops) {
    const key = String(op.key)
    if (op.type === 'del') m.delete(key)
    else m.set(key, [key, String(op.value), op.expiresAt ?? null, op.json === true])
  }
  return [...m.values()].filter(([, , exp]) => exp === null || exp > at).sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
}

/** Writes: puts (some JSON, some expiring before or after `at`), overwrites and deletes of keys of `tag`. */
function opsOf(tag: string, n: number, at: number): BatchOp[] {
  const ops: BatchOp[] = []
  for (let i = 0; i < n; i++) {
    const key = `k${String((i * 37) % Math.ceil(n * 0.7)).padStart(4, '0')}`
    if (i % 9 === 8) {
      ops.push({type: 'del', key})
    } else {
      const expiresAt = i % 10 === 3 ? at - HOUR : i % 10 === 5 ? at + HOUR : undefined
      ops.push({type: 'put', key, value: `${tag}-${i}-${'x'.repeat(i % 40)}`, ...(expiresAt === undefined ? {} : {expiresAt})})
    }
  }
  // JSON values too: the flag is part of a record's digest.
  ops.push({type: 'put', key: `json-${tag}`, value: `{"tag":"${tag}"}`, json: true})
  return ops
}

async function writeAll(s: Store, ops: readonly BatchOp[]): Promise<void> {
  for (let i = 0; i < ops.length; i += 25) await s.batch(ops.slice(i, i + 25))
}

test('the digest of a cut is the digest of the store at the cut, while writes go on', async (t) => {
  const root = tempDir()
  const dir = path.join(root, 'db')
  await createStore(dir, {shards: 3})
  const at = Date.now() + HOUR
  const s = await open(dir, {walFlushBytes: 2048, compactionTrigger: 3})
  const known = opsOf('a', 400, at)
  await writeAll(s, known)
  const cut = s.cut()
  t.true(cut.shards.some((sh) => sh.manifest.tables.length > 0) && cut.shards.some((sh) => sh.walLength > 64), 'the cut has tables and WAL records')
  // After the cut: overwrites and deletes of the same keys, new keys, a flush and a full compaction.
  const later = opsOf('b', 300, at)
  await writeAll(s, later)
  await s.flush()
  await s.compact()

  // The expected digest: a store holding only the known writes (another shard count: the digest ignores layout).
  const ref = path.join(root, 'ref')
  await createStore(ref, {shards: 1})
  const r = await open(ref)
  await writeAll(r, known)
  await r.close()
  const expected = await digestStore(ref, {at})
  t.is(expected.records, stateOf(known, at).length)
  t.true(expected.records > 100)

  const ofCut = await digestStore(cut, {at})
  t.is(ofCut.digest, expected.digest)
  t.is(ofCut.records, expected.records)
  t.is(ofCut.shardCount, 3)
  // The same through an opened view, which the digest leaves open.
  const view = openCut(cut, {now: () => at})
  t.is((await digestStore(view, {at})).digest, expected.digest)
  t.deepEqual(scanOf(view), stateOf(known, at))
  // The live store (read through its writer) has moved on.
  const live = await digestStore(s, {at})
  t.not(live.digest, expected.digest)
  t.is(live.records, stateOf([...known, ...later], at).length)
  await view.close()
  cut.release()
  t.true(cut.released)
  await s.close()
  // A released cut is refused, not read half-gone.
  t.throws(() => openCut(cut), {code: 'CLOSED'})
  await t.throwsAsync(digestStore(cut, {at}), {code: 'CLOSED'})
})

/** True if a file named `name` is in shard `shard`'s directory of `dir`. */
const inShardDir = (dir: string, shard: number, name: string): boolean => fs.existsSync(path.join(dir, shardDirName(shard), name))

/** Names of the cut's tables still in the live shard directories, and how many the cut has. */
function cutTables(dir: string, cut: StoreCut): {total: number; present: number} {
  let total = 0
  let present = 0
  for (const sh of cut.shards) {
    for (const t of sh.manifest.tables) {
      total++
      if (inShardDir(dir, sh.shard, tableFileName(t.fileNumber))) present++
    }
  }
  return {total, present}
}

test('a view of a cut reads the cut\'s records after compaction deleted its tables and its WAL grew', async (t) => {
  const root = tempDir()
  const dir = path.join(root, 'db')
  await createStore(dir, {shards: 2})
  const at = Date.now() + HOUR
  const s = await open(dir, {compactionTrigger: 1000})
  // In tables: set A. In the WAL, at the cut: set B (overwrites, deletes, new keys).
  const a = opsOf('a', 300, at)
  await writeAll(s, a)
  await s.flush()
  const b = opsOf('b', 120, at)
  await writeAll(s, b)
  const cut = s.cut()
  const expected = stateOf([...a, ...b], at)
  // After the cut, into the same WAL: set C, which also deletes a key the cut has.
  const deleted = expected[0][0]
  const c: BatchOp[] = [...opsOf('c', 150, at), {type: 'put', key: 'only-after', value: 'c'}, {type: 'del', key: deleted}]
  await writeAll(s, c)
  let grown = 0
  for (const sh of cut.shards) {
    const size = fs.statSync(cut.path(sh.shard, walFileName(sh.manifest.walNumber))).size
    t.true(size >= sh.walLength)
    if (size > sh.walLength) grown++
  }
  t.is(grown, 2, 'the pinned WALs grew past their length at the cut')
  await s.compact()
  // The compaction replaced every table and WAL of the cut in the shard directories.
  const tables = cutTables(dir, cut)
  t.true(tables.total >= 2)
  t.is(tables.present, 0)
  for (const sh of cut.shards) t.false(inShardDir(dir, sh.shard, walFileName(sh.manifest.walNumber)))

  const view = openCut(cut, {now: () => at})
  t.true(view.readOnly)
  t.deepEqual(scanOf(view), expected)
  const viaAsync: string[] = []
  for await (const kv of view.scan({reverse: true})) viaAsync.push(kv.key.toString())
  t.deepEqual(viaAsync, expected.map(([k]) => k).reverse())
  t.deepEqual([...view.scanSync({prefix: 'json-'})].map((kv) => kv.key.toString()), ['json-a', 'json-b'])
  // get: a key overwritten after the cut, one deleted after it, one added after it.
  const changed = expected.find(([k]) => c.some((op) => op.type === 'put' && op.key === k))!
  t.truthy(changed)
  t.is((await view.get(changed[0]))?.value.toString(), changed[1])
  t.is(view.getSync(deleted)?.value.toString(), expected[0][1])
  t.is(view.getSync('only-after'), undefined)
  // explain lists the versions at the cut only: none of set C.
  const versions = view.explain(changed[0]).versions
  t.true(versions.length >= 1)
  t.is(versions[0].value?.toString(), changed[1])
  t.false(versions.some((v) => v.value?.toString().startsWith('c-')))
  // Nothing a view does writes.
  await t.throwsAsync(view.put('x', 'y'), {code: 'INVALID_ARGUMENT'})
  t.throws(() => view.cut(), {code: 'INVALID_ARGUMENT'})

  // The dump library decodes the same records from the cut's files.
  const decoded = [...decodedLiveRecords(cut, {now: at})].map((r) => [r.key.toString(), r.value.toString(), r.expiresAt ?? null, r.json])
  t.deepEqual(decoded, expected)
  // ...and its history of a key: the versions of A and B, oldest first, none of C.
  const history = [...historyRecords(cutShardSnapshots(cut), {problems: new Problems(false)})].filter((r) => r.key.equals(Buffer.from(changed[0])))
  const fromOps = [...a, ...b].filter((op) => op.key === changed[0]).map((op) => (op.type === 'put' ? String(op.value) : ''))
  // A's versions were flushed into one table (the newest only), B's are all in the WAL.
  t.deepEqual(history.map((r) => r.value.toString()).at(-1), fromOps.at(-1))
  t.false(history.some((r) => r.value.toString().startsWith('c-')))

  // The live store has C: the view is not reading it.
  const liveView = await open(dir, {readOnly: true, now: () => at})
  t.deepEqual(scanOf(liveView), stateOf([...a, ...b, ...c], at))
  t.notDeepEqual(scanOf(liveView), expected)
  await liveView.close()
  await view.close()
  cut.release()
  await s.close()
  t.false(fs.existsSync(path.join(dir, 'pins')))
})
