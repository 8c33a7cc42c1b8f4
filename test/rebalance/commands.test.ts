/**
 * `strata shard-rebalance` as a child process, around the states a killed
 * run leaves: an unfinished rebalance holds the store (writers get BUSY
 * naming it, readers go on), the same command or --resume finishes it,
 * --abort throws it away; a writer blocked by a running rebalance is told
 * so; a damaged store is refused with nothing written; explain and verify
 * know the generation.
 *
 * The unfinished state is made by writing the journal a run writes first
 * (src/rebalance/journal.ts): exactly what a run killed just after it leaves.
 */
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {writeJournal} from '../../src/rebalance/journal.js'
import {acquireWriterLock} from '../../src/store/lock.js'
import {LOCK_HOLDER} from '../../src/rebalance/index.js'
import {REBALANCE_FILE} from '../../src/layout/names.js'
import {nodeFileSystem} from '../../src/vfs/node-fs.js'
import {assertError, newStore, strata} from '../cli/helpers.js'
import {shardFolders} from './helpers.js'

interface Report {
  action: string
  from: number
  to: number
  resumed: boolean
  keysTotal: number
  keysMoved: number
  bytesMoved: number
  digestBefore?: string
  digestAfter?: string
}

async function storeWithKeys(t: Parameters<typeof newStore>[0], shards: number, keys = 300): Promise<string> {
  const dir = await newStore(t, shards)
  const lines = Array.from({length: keys}, (_, i) => JSON.stringify({key: `key-${i}`, value: `value-${i}`.repeat(8)})).join('\n') + '\n'
  const r = await strata(['put', '--batch', '-', '--dir', dir], {input: lines})
  t.is(r.status, 0, r.stderr)
  return dir
}

async function digest(dir: string): Promise<string> {
  return (JSON.parse((await strata(['digest', '--dir', dir, '--format', 'json'])).stdout) as {digest: string}).digest
}

/** The state a run killed right after writing its journal leaves: the journal, and nothing else yet. */
function unfinished(dir: string, from: number, to: number): void {
  writeJournal(nodeFileSystem, dir, {from, to, fromGeneration: 0, toGeneration: 1, at: Date.now(), complete: []})
}

test('an unfinished rebalance: writers get BUSY naming it, readers go on, the same command finishes it', async (t) => {
  const dir = await storeWithKeys(t, 3)
  const before = await digest(dir)
  unfinished(dir, 3, 5)
  for (const args of [['put', 'k', 'v'], ['delete', 'key-1'], ['compact']]) {
    const r = await strata([...args, '--dir', dir])
    assertError(t, r, 'BUSY', 4, /unfinished shard-rebalance \(3 to 5 shards\)/)
    t.regex(r.stderr, /--resume/)
    t.regex(r.stderr, /--abort/)
  }
  t.is((await strata(['get', 'key-7', '--dir', dir])).status, 0)
  t.is(await digest(dir), before)
  const verify = await strata(['verify', '--dir', dir, '--format', 'json'])
  t.is(verify.status, 0, verify.stderr)
  // Another shard count is refused while this one is unfinished.
  assertError(t, await strata(['shard-rebalance', '--dir', dir, '--shards', '7']), 'BUSY', 4, /unfinished shard-rebalance/)
  const r = await strata(['shard-rebalance', '--dir', dir, '--shards', '5', '--format', 'json'])
  t.is(r.status, 0, r.stderr)
  const report = JSON.parse(r.stdout) as Report
  t.like(report, {action: 'rebalanced', from: 3, to: 5, resumed: true, keysTotal: 300})
  t.is(report.digestBefore, before)
  t.is(report.digestAfter, before)
  t.is(await digest(dir), before)
  t.false(fs.existsSync(path.join(dir, REBALANCE_FILE)))
  t.is((await strata(['put', 'k', 'v', '--dir', dir])).status, 0)
})

test('--resume without --shards finishes the journal\'s rebalance; with nothing unfinished it says so', async (t) => {
  const dir = await storeWithKeys(t, 4)
  const before = await digest(dir)
  unfinished(dir, 4, 2)
  const r = await strata(['shard-rebalance', '--dir', dir, '--resume', '--format', 'json'])
  t.is(r.status, 0, r.stderr)
  t.like(JSON.parse(r.stdout) as Report, {action: 'rebalanced', from: 4, to: 2, resumed: true})
  t.deepEqual(shardFolders(dir), ['shard-0000.g1', 'shard-0001.g1'])
  t.is(await digest(dir), before)
  const again = await strata(['shard-rebalance', '--dir', dir, '--resume', '--format', 'json'])
  t.is(again.status, 0, again.stderr)
  t.is((JSON.parse(again.stdout) as Report).action, 'none')
})

test('--abort throws an unfinished rebalance away: the old store, as it was', async (t) => {
  const dir = await storeWithKeys(t, 3)
  const before = await digest(dir)
  unfinished(dir, 3, 6)
  // A half-built folder of the new generation, as a run killed while copying leaves it.
  fs.mkdirSync(path.join(dir, 'shard-0004.g1'))
  const warned = await strata(['verify', '--dir', dir, '--format', 'json'])
  t.is(warned.status, 0, warned.stderr)
  const findings = (JSON.parse(warned.stdout) as {findings: {severity: string; message: string}[]}).findings
  t.true(findings.some((f) => f.severity === 'warning' && /shard-0004\.g1/.test(f.message) && /--resume or --abort/.test(f.message)), JSON.stringify(findings))
  const r = await strata(['shard-rebalance', '--dir', dir, '--abort', '--format', 'json'])
  t.is(r.status, 0, r.stderr)
  t.like(JSON.parse(r.stdout) as Report, {action: 'aborted', from: 3, to: 6})
  t.deepEqual(shardFolders(dir), ['shard-0000', 'shard-0001', 'shard-0002'])
  t.false(fs.existsSync(path.join(dir, REBALANCE_FILE)))
  t.is(await digest(dir), before)
  t.is((await strata(['put', 'k', 'v', '--dir', dir])).status, 0)
  const none = await strata(['shard-rebalance', '--dir', dir, '--abort'])
  t.is(none.status, 0, none.stderr)
  t.regex(none.stdout, /no unfinished shard-rebalance/)
})

test('a writer blocked by a running rebalance is told so; a rebalance blocked by a writer is BUSY', async (t) => {
  const dir = await storeWithKeys(t, 2, 20)
  const lock = await acquireWriterLock(nodeFileSystem, dir, 0, LOCK_HOLDER)
  try {
    assertError(t, await strata(['put', 'k', 'v', '--dir', dir]), 'BUSY', 4, /strata shard-rebalance/)
    assertError(t, await strata(['shard-rebalance', '--dir', dir, '--shards', '3']), 'BUSY', 4, /locked by another writer/)
    // A dry run takes no lock.
    const dry = await strata(['shard-rebalance', '--dir', dir, '--shards', '3', '--dry-run', '--format', 'json'])
    t.is(dry.status, 0, dry.stderr)
    t.like(JSON.parse(dry.stdout) as Report, {action: 'dry-run', from: 2, to: 3, keysTotal: 20})
  } finally {
    await lock.release()
  }
})

test('a damaged store is refused with exit 3 before anything of the rebalance is written', async (t) => {
  const dir = await storeWithKeys(t, 2, 2000)
  t.is((await strata(['compact', '--dir', dir])).status, 0)
  const shard = path.join(dir, 'shard-0000')
  const table = fs.readdirSync(shard).find((n) => n.endsWith('.sst'))!
  const bytes = fs.readFileSync(path.join(shard, table))
  bytes[20] ^= 0xff
  fs.writeFileSync(path.join(shard, table), bytes)
  const store = fs.readFileSync(path.join(dir, 'STORE'))
  assertError(t, await strata(['shard-rebalance', '--dir', dir, '--shards', '3']), 'CORRUPTION', 3)
  t.deepEqual(fs.readFileSync(path.join(dir, 'STORE')), store)
  t.deepEqual(shardFolders(dir), ['shard-0000', 'shard-0001'])
  t.false(fs.existsSync(path.join(dir, REBALANCE_FILE)))
})

test('explain names the key\'s shard in the current generation, and the generation', async (t) => {
  const dir = await storeWithKeys(t, 2, 50)
  t.is((await strata(['shard-rebalance', '--dir', dir, '--shards', '7'])).status, 0)
  const r = await strata(['explain', 'key-9', '--dir', dir, '--format', 'json'])
  t.is(r.status, 0, r.stderr)
  const doc = JSON.parse(r.stdout) as {shard: number; generation: number; state: string; versions: {file: string}[]}
  t.is(doc.generation, 1)
  t.is(doc.state, 'live')
  t.regex(doc.versions[0].file, new RegExp(`shard-${String(doc.shard).padStart(4, '0')}\\.g1`))
  const text = await strata(['explain', 'key-9', '--dir', dir])
  t.regex(text.stdout, new RegExp(`${doc.shard} \\(generation 1\\)`))
})

test('a rebalanced store: dump, checkpoint and repair follow its generation', async (t) => {
  const dir = await storeWithKeys(t, 3, 400)
  const before = await digest(dir)
  t.is((await strata(['shard-rebalance', '--dir', dir, '--shards', '5'])).status, 0)
  const dump = await strata(['dump', '--dir', dir, '--latest', '--format', 'ndjson'])
  t.is(dump.status, 0, dump.stderr)
  t.is(dump.stdout.trim().split('\n').length, 400, 'dump --latest shows each live record once')
  const out = path.join(path.dirname(dir), 'copy')
  const cp = await strata(['checkpoint', '--dir', dir, out])
  t.is(cp.status, 0, cp.stderr)
  t.deepEqual(shardFolders(out), shardFolders(dir))
  t.is(await digest(out), before)
  t.is((await strata(['verify', '--dir', out])).status, 0)
  // STORE lost: repair rebuilds it from the generation's folders, keys that moved out of kept shards included.
  fs.unlinkSync(path.join(dir, 'STORE'))
  const repaired = await strata(['repair', '--dir', dir, '--format', 'json'])
  t.is(repaired.status, 0, repaired.stderr)
  t.like(JSON.parse(repaired.stdout) as {store: {shards: number; shardGeneration: number}}, {store: {shards: 5, shardGeneration: 1}})
  t.is(await digest(dir), before)
  const verify = await strata(['verify', '--dir', dir])
  t.is(verify.status, 0, verify.stdout + verify.stderr)
})
