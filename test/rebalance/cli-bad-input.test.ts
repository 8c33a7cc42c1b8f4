/**
 * What `strata shard-rebalance` refuses, through the real CLI: a bad shard
 * count (exit 2), a damaged store (exit 3, nothing written), a store another
 * writer holds (exit 4); and what other writers get while a killed
 * rebalance's journal waits for `--resume` or `--abort` (exit 4, naming it).
 */
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {spawn, type ChildProcess} from 'node:child_process'
import {isFileLockHeld} from '../../src/store/file-lock.js'
import {nodeFileSystem} from '../../src/vfs/node-fs.js'
import {LOCK_FILE} from '../../src/layout/names.js'
import {cliEnv, runJs, strata, strataAsync} from '../helpers/cli.js'
import {snapshotTree, tempDir} from '../helpers/temp.js'
import {
  digestOf, entriesOf, expectExit, initStore, jsonError, loadBatch, putLines, rebalance, rebalanceArgs, storeState, treeWithoutLock, verifyOf,
} from './cli-support.js'
import {hasJournal, shardFolder} from './cli-layout.js'

/** A store of `shards` shards holding `keys` keys, the first load compacted into tables, the rest in the WALs unless `tablesOnly`. */
function storeWith(root: string, shards: number, keys: number, options: {tablesOnly?: boolean; valueSeed?: number} = {}): string {
  const dir = path.join(root, 'db')
  initStore(dir, shards)
  const file = path.join(root, 'load.ndjson')
  fs.writeFileSync(file, putLines('key:', keys, options.valueSeed ?? 0))
  loadBatch(dir, file)
  expectExit(strata(['compact', '--dir', dir]), 0, 'compact')
  if (!options.tablesOnly) expectExit(strata(['put', '--dir', dir, 'in-the-wal', 'value']), 0, 'put')
  return dir
}

test('a bad or missing --shards is a usage error (exit 2) that changes nothing', (t) => {
  const dir = storeWith(tempDir(t), 3, 200)
  const tree = snapshotTree(dir)
  // The command exists and takes a good count on this store: what is refused below is the count.
  t.is(rebalance(dir, 5, ['--dry-run']).code, 0)
  for (const shards of ['0', '1025', 'abc', '-1', '2.5']) {
    const r = rebalance(dir, shards)
    t.is(r.code, 2, `--shards ${shards}: ${r.stderr}`)
    t.truthy(jsonError(r).code, `--shards ${shards}`)
  }
  const none = strata(['shard-rebalance', '--dir', dir, '--format', 'json'])
  t.is(none.code, 2, none.stderr)
  t.deepEqual(snapshotTree(dir), tree)
  t.deepEqual(storeState(dir), {shards: 3, generation: 0})
})

/**
 * Flips one byte inside the first data block of a table of shard `shard` (generation 0).
 * The damaged test uses the last of three shards: growing reads it (its keys
 * move to the new shards), and so does shrinking (it is removed).
 */
function damageTable(dir: string, shard: number): void {
  const folder = path.join(dir, shardFolder(shard, 0))
  const table = fs.readdirSync(folder).find((f) => f.endsWith('.sst'))
  if (table === undefined) throw new Error(`no table in ${folder}`)
  const file = path.join(folder, table)
  const bytes = fs.readFileSync(file)
  bytes[24] ^= 0x5a
  fs.writeFileSync(file, bytes)
}

for (const tablesOnly of [true, false]) {
  test(`a damaged table (${tablesOnly ? 'all data in tables' : 'and records in the WALs'}): exit 3, CORRUPTION, nothing written`, (t) => {
    const dir = storeWith(tempDir(t), 3, 3000, {tablesOnly})
    damageTable(dir, 2)
    t.is(verifyOf(dir).code, 3, 'verify sees the damage')
    const tree = treeWithoutLock(snapshotTree(dir))
    for (const m of [5, 2]) {
      const r = rebalance(dir, m)
      t.is(r.code, 3, `to ${m}: ${r.stderr}`)
      t.is(jsonError(r).code, 'CORRUPTION')
      t.deepEqual(treeWithoutLock(snapshotTree(dir)), tree, `to ${m}: the directory changed`)
    }
    t.deepEqual(storeState(dir), {shards: 3, generation: 0})
  })
}

/**
 * A long-running writer: `strata put --batch -` takes the writer lock, then
 * waits for lines on a stdin this test never closes. Resolves once the lock is held.
 */
async function lockHolder(dir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [runJs, 'put', '--dir', dir, '--batch', '-'], {env: cliEnv(), stdio: ['pipe', 'ignore', 'ignore']})
  for (let i = 0; i < 600 && !isFileLockHeld(nodeFileSystem, path.join(dir, LOCK_FILE)); i++) {
    if (child.exitCode !== null) throw new Error(`the writer exited with ${child.exitCode}`)
    await new Promise((r) => setTimeout(r, 50))
  }
  if (!isFileLockHeld(nodeFileSystem, path.join(dir, LOCK_FILE))) throw new Error('the writer did not take the lock in 30 s')
  return child
}

test('a store locked by another writer: exit 4, BUSY, nothing written', async (t) => {
  const dir = storeWith(tempDir(t), 3, 500)
  const holder = await lockHolder(dir)
  t.teardown(() => holder.kill('SIGKILL'))
  const tree = treeWithoutLock(snapshotTree(dir))
  const r = rebalance(dir, 5, ['--lock-timeout', '200ms'])
  t.is(r.code, 4, r.stderr)
  t.is(jsonError(r).code, 'BUSY')
  t.deepEqual(treeWithoutLock(snapshotTree(dir)), tree)
  holder.kill('SIGKILL')
  await new Promise((resolve) => holder.exitCode !== null || holder.signalCode !== null ? resolve(undefined) : holder.once('exit', resolve))
  const after = rebalance(dir, 5, ['--lock-timeout', '5s'])
  t.is(after.code, 0, after.stderr)
  t.is(storeState(dir).shards, 5)
})

/** Runs a rebalance of `dir` to `m` shards and kills it with SIGKILL as soon as its journal appears. */
function killAtJournal(dir: string, m: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [runJs, ...rebalanceArgs(dir, m)], {env: cliEnv(), stdio: 'ignore'})
    const poll = setInterval(() => {
      if (hasJournal(dir)) child.kill('SIGKILL')
    }, 1)
    child.on('error', reject)
    child.on('exit', (code) => {
      clearInterval(poll)
      resolve(code)
    })
  })
}

test.serial('while a killed rebalance waits for --resume or --abort, writers get BUSY naming it and readers read', async (t) => {
  t.timeout(180_000)
  const dir = storeWith(tempDir(t), 4, 20_000, {valueSeed: 5})
  const digest = digestOf(dir)
  // The kill lands as soon as the journal is seen, well before the commit point; should a busy machine let
  // the run reach its commit first, finish it and try again from the new count.
  let pending = false
  let entries: string[] = []
  for (let attempt = 0; attempt < 4 && !pending; attempt++) {
    const from = storeState(dir)
    entries = entriesOf(dir)
    const code = await killAtJournal(dir, from.shards === 4 ? 7 : 4)
    pending = code === null && hasJournal(dir) && storeState(dir).generation === from.generation
    if (!pending && hasJournal(dir)) expectExit(strata(['shard-rebalance', '--dir', dir, '--resume']), 0, 'resume')
  }
  t.true(pending, 'a kill landed between the journal and the commit point')
  const before = storeState(dir)
  const tree = treeWithoutLock(snapshotTree(dir))

  for (const args of [['put', 'k', 'v'], ['delete', 'key:0000001'], ['compact'], ['put', '--batch', '-']]) {
    const r = strata([...args, '--dir', dir, '--lock-timeout', '0', '--format', 'json'], '{"key":"a","value":"b"}\n')
    t.is(r.code, 4, `${args[0]}: ${r.stderr}`)
    const e = jsonError(r)
    t.is(e.code, 'BUSY')
    t.regex(e.message, /shard-rebalance/, `${args.join(' ')}: the error names the unfinished rebalance`)
  }
  // A new rebalance to another count is refused too: the unfinished one comes first.
  const other = rebalance(dir, 9)
  t.is(other.code, 4, other.stderr)
  t.is(jsonError(other).code, 'BUSY')
  t.deepEqual(treeWithoutLock(snapshotTree(dir)), tree, 'the refused commands wrote nothing')

  const get = strata(['get', '--dir', dir, 'in-the-wal'])
  t.is(get.code, 0, get.stderr)
  t.is(get.stdout, 'value\n')
  t.deepEqual(digestOf(dir), digest)
  t.is(verifyOf(dir).code, 0)

  const abort = strata(['shard-rebalance', '--dir', dir, '--abort', '--format', 'json'])
  t.is(abort.code, 0, abort.stderr)
  t.deepEqual(storeState(dir), before)
  t.false(hasJournal(dir))
  t.deepEqual(entriesOf(dir), entries, 'no folder of the aborted generation is left')
  t.deepEqual(digestOf(dir), digest)
  const put = strata(['put', '--dir', dir, 'after', 'abort'])
  t.is(put.code, 0, put.stderr)
})

test('--resume and --abort with nothing unfinished: exit 0, say so, change nothing', (t) => {
  const dir = storeWith(tempDir(t), 3, 300)
  const tree = treeWithoutLock(snapshotTree(dir))
  for (const flag of ['--resume', '--abort']) {
    const r = strata(['shard-rebalance', '--dir', dir, flag, '--format', 'json'])
    t.is(r.code, 0, `${flag}: ${r.stderr}`)
    const doc = JSON.parse(r.stdout) as {action: string; from: number; to: number; keysMoved: number}
    t.deepEqual([doc.action, doc.from, doc.to, doc.keysMoved], ['none', 3, 3, 0], flag)
    t.deepEqual(treeWithoutLock(snapshotTree(dir)), tree, `${flag} changed the directory`)
  }
  t.deepEqual(storeState(dir), {shards: 3, generation: 0})
})

test.serial('a writer that meets a running rebalance gets BUSY naming it', async (t) => {
  t.timeout(180_000)
  const dir = storeWith(tempDir(t), 4, 20_000, {valueSeed: 7})
  // The rebalance is stopped (SIGSTOP) as soon as its journal appears, so it holds the lock, mid-copy,
  // for as long as the test needs; should it have finished first on a busy machine, try again.
  let met = false
  for (let attempt = 0; attempt < 3 && !met; attempt++) {
    const m = storeState(dir).shards === 4 ? 6 : 4
    const child = spawn(process.execPath, [runJs, ...rebalanceArgs(dir, m)], {env: cliEnv(), stdio: 'ignore'})
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (child.exitCode !== null || hasJournal(dir)) {
          if (child.exitCode === null) child.kill('SIGSTOP')
          clearInterval(poll)
          resolve()
        }
      }, 1)
    })
    if (child.exitCode === null && hasJournal(dir)) {
      const r = await strataAsync(['put', '--dir', dir, 'k', 'v', '--lock-timeout', '0', '--format', 'json'])
      t.is(r.code, 4, r.stderr)
      t.is(jsonError(r).code, 'BUSY')
      t.regex(jsonError(r).message, /shard-rebalance/, 'the error names the rebalance')
      met = true
    }
    child.kill('SIGCONT')
    t.is(await exited, 0)
    t.is(storeState(dir).shards, m)
  }
  t.true(met, 'a writer met the running rebalance')
  t.is(strata(['get', '--dir', dir, 'k']).code, 1, 'the refused write is not in the store')
})
