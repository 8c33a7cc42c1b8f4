/**
 * Replicas that fail or are damaged, through the library (a fault-injecting
 * object store) and the real CLI: a destination that fails mid-upload and
 * comes back, a deleted object, a flipped byte, a descriptor that does not
 * parse, two replicators on one destination, a destination of another
 * store, and retention while a restore runs. The source store is never
 * touched (but for its pins, lock and identity).
 */
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {spawn} from 'node:child_process'
import {ErrorCode, applyRetention, open, replicate, restore} from '../../src/index.js'
import {DirStore} from '../../src/objstore/dir-store.js'
import {FaultStore} from '../../src/objstore/fault-store.js'
import {cliEnv, runJs, strata} from '../helpers/cli.js'
import {snapshotTree, tempDir} from '../helpers/temp.js'
import {errCodeAsync} from '../helpers/errors.js'
import {buildStore, cutsOf, digestOf, errorCodeOf, expectExit, putSome, writeBatches} from './helpers.js'

function sourceTree(dir: string): Record<string, string> {
  return Object.fromEntries(Object.entries(snapshotTree(dir)).filter(([p]) => !p.startsWith('pins') && p !== 'LOCK' && p !== 'STORE-ID'))
}

/** A store with one cut shipped to a directory replica. */
async function shipped(t: {teardown(f: () => void): void}, batches = 6): Promise<{root: string; dir: string; replica: string}> {
  const root = tempDir(t as never)
  const dir = path.join(root, 'db')
  const replica = path.join(root, 'replica')
  await buildStore(dir, batches)
  await replicate(dir, replica)
  return {root, dir, replica}
}

test('a destination failing mid-upload makes no cut; the next run completes', async (t) => {
  const {root, dir, replica} = await shipped(t)
  await writeBatches(dir, 'new', 4, 2, 8 * 1024)
  const before = sourceTree(dir)
  const faulty = new FaultStore(new DirStore(replica), {downFrom: 3, ops: ['put']})
  t.is(await errCodeAsync(replicate(dir, faulty)), ErrorCode.IO)
  t.true(faulty.failures > 0)
  t.is(cutsOf(replica).length, 1, 'no cut for the failed run')
  t.deepEqual(sourceTree(dir), before)
  faulty.recover()
  const r = await replicate(dir, faulty)
  t.is(r.cuts[0].id, '000000000002')
  const out = path.join(root, 'out')
  t.is((await restore(replica, out)).digest, await digestOf(dir))
  // A restore whose source fails midway leaves a directory that does not open; restoring again succeeds.
  const out2 = path.join(root, 'out2')
  t.is(await errCodeAsync(restore(new FaultStore(new DirStore(replica), {downFrom: 4, ops: ['get']}), out2)), ErrorCode.IO)
  t.is(await errCodeAsync(open(out2, {readOnly: true})), ErrorCode.NOT_A_STORE)
  t.is((await restore(replica, out2)).digest, await digestOf(dir))
})

test('a deleted object, a flipped byte and a descriptor that does not parse are exit 3 naming them; the source is untouched', async (t) => {
  t.timeout(120_000)
  const {root, dir, replica} = await shipped(t, 24)
  const before = sourceTree(dir)
  const cut = cutsOf(replica)[0]
  const tables = cut.objects.filter((o: {path: string}) => o.path.endsWith('.sst'))
  t.true(tables.length >= 2, `${tables.length} tables`)
  const file = (key: string): string => path.join(replica, ...key.split('/'))

  const missing = tables[0].key
  const kept = fs.readFileSync(file(missing))
  fs.unlinkSync(file(missing))
  const r1 = strata(['restore', replica, '--dir', path.join(root, 'o1'), '--format', 'json'])
  t.is(r1.code, 3, r1.stderr)
  t.is(errorCodeOf(r1), 'CORRUPTION')
  t.true(r1.stderr.includes(missing), 'the error names the missing object')
  t.is(await errCodeAsync(open(path.join(root, 'o1'), {readOnly: true})), ErrorCode.NOT_A_STORE)
  fs.writeFileSync(file(missing), kept)

  const flipped = tables[1].key
  const bytes = fs.readFileSync(file(flipped))
  bytes[Math.floor(bytes.length / 2)] ^= 0x40
  fs.writeFileSync(file(flipped), bytes)
  for (const verify of ['quick', 'full']) {
    const r = strata(['restore', replica, '--dir', path.join(root, `o2-${verify}`), '--verify', verify, '--format', 'json'])
    t.is(r.code, 3, r.stderr)
    t.true(r.stderr.includes(flipped), 'the error names the damaged object')
  }
  bytes[Math.floor(bytes.length / 2)] ^= 0x40
  fs.writeFileSync(file(flipped), bytes)
  expectExit(strata(['restore', replica, '--dir', path.join(root, 'o3')]), 0, 'restore of the repaired replica')

  const descriptor = path.join(replica, 'cuts', `${cut.id}.json`)
  fs.writeFileSync(descriptor, fs.readFileSync(descriptor, 'utf8').slice(0, 200))
  for (const args of [['restore', replica, '--dir', path.join(root, 'o4')], ['restore', replica, '--list'], ['replicate', '--dir', dir, replica]]) {
    const r = strata([...args, '--format', 'json'])
    t.is(r.code, 3, `${args[0]}: ${r.stderr}`)
    t.is(errorCodeOf(r), 'CORRUPTION')
  }
  t.deepEqual(sourceTree(dir), before)
})

test('a second replicator on a destination is refused with exit 4 naming the holder; a destination of another store with exit 2', async (t) => {
  t.timeout(120_000)
  const {root, dir, replica} = await shipped(t, 2)
  const child = spawn(process.execPath, [runJs, 'replicate', '--dir', dir, replica, '--follow', '--interval', '200ms'], {env: cliEnv(), stdio: ['ignore', 'ignore', 'pipe']})
  let stderr = ''
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const lease = path.join(replica, 'LEASE')
  for (let i = 0; i < 600 && !(fs.existsSync(lease) && JSON.parse(fs.readFileSync(lease, 'utf8')).pid === child.pid); i++) await new Promise((r) => setTimeout(r, 50))
  const second = strata(['replicate', '--dir', dir, replica, '--format', 'json'])
  t.is(second.code, 4, second.stderr)
  t.is(errorCodeOf(second), 'BUSY')
  t.true(second.stderr.includes(`pid ${child.pid}`), second.stderr)
  child.kill('SIGTERM')
  t.is(await exited, 0, stderr)
  t.false(fs.existsSync(lease), 'the lease is released at exit')

  const other = path.join(root, 'other')
  await buildStore(other, 1)
  const files = cutsOf(replica).length
  const r = strata(['replicate', '--dir', other, replica, '--format', 'json'])
  t.is(r.code, 2, r.stderr)
  t.is(errorCodeOf(r), 'INVALID_ARGUMENT')
  t.is(cutsOf(replica).length, files, 'nothing shipped')
  // A restored store is a store of its own: refused too.
  const restored = path.join(root, 'restored')
  await restore(replica, restored)
  t.is(strata(['replicate', '--dir', restored, replica]).code, 2)
})

test('retention keeps the cut a running restore reads, and deletes it once the restore is done', async (t) => {
  const {root, dir, replica} = await shipped(t, 4)
  const oldDigest = await digestOf(dir)
  await writeBatches(dir, 'later', 4, 9, 8 * 1024)
  const s = await open(dir)
  await s.compact()
  await s.close()
  await replicate(dir, replica)
  t.is(cutsOf(replica).length, 2)
  let resume!: () => void
  const paused = new Promise<void>((r) => (resume = r))
  let reached!: () => void
  const atPause = new Promise<void>((r) => (reached = r))
  let gets = 0
  const slow = new FaultStore(new DirStore(replica), {
    ops: ['get'],
    before: async (_op, key) => {
      if (key.startsWith('data/') && ++gets === 2) {
        reached()
        await paused
      }
    },
  })
  const running = restore(slow, path.join(root, 'out'), {cut: '000000000001'})
  await atPause
  const during = await applyRetention(new DirStore(replica), {keep: 1, graceMs: 0})
  t.is(during.cutsDeleted, 0, 'the cut being restored is kept')
  t.is(cutsOf(replica).length, 2)
  resume()
  t.is((await running).digest, oldDigest)
  t.is(await digestOf(path.join(root, 'out')), oldDigest)
  const after = await applyRetention(new DirStore(replica), {keep: 1, graceMs: 0})
  t.is(after.cutsDeleted, 1)
  t.true(after.objectsDeleted > 0)
  const r = strata(['restore', replica, '--dir', path.join(root, 'out2'), '--cut', '000000000001', '--format', 'json'])
  t.is(r.code, 1, r.stderr)
  t.is(errorCodeOf(r), 'NOT_FOUND')
  await putSome(dir, ['z'])
  t.is((await restore(replica, path.join(root, 'out3'))).cut, '000000000002')
})

test('retention waits out the grace period for unused objects, and --retain expires cuts by age but never the newest', async (t) => {
  const {dir, replica} = await shipped(t, 2)
  await putSome(dir, ['r1'])
  await replicate(dir, replica)
  await putSome(dir, ['r2'])
  const s = await open(dir)
  await s.compact() // the newest cut no longer uses the older cuts' tables
  await s.close()
  await replicate(dir, replica)
  const orphan = path.join(replica, 'data', 'shard-0000', '999999.sst')
  fs.writeFileSync(orphan, 'left by a killed run')
  const store = new DirStore(replica)
  const now = Date.now()
  const first = await applyRetention(store, {maxAgeMs: 3_600_000, graceMs: 3_600_000}, {now})
  t.deepEqual([first.cutsDeleted, first.objectsDeleted, first.objectsPending], [0, 0, 1], 'young cuts stay; the orphan waits')
  t.true(fs.existsSync(orphan))
  const later = await applyRetention(store, {maxAgeMs: 3_600_000, graceMs: 3_600_000}, {now: now + 2 * 3_600_000})
  t.is(later.cutsDeleted, 2, 'every cut but the newest is older than an hour')
  t.is(later.objectsDeleted, 1, 'the orphan, unused for the grace period, goes; the expired cuts\' objects start theirs')
  t.false(fs.existsSync(orphan))
  t.true(later.objectsPending > 0)
  const done = await applyRetention(store, {maxAgeMs: 3_600_000, graceMs: 3_600_000}, {now: now + 4 * 3_600_000})
  t.deepEqual([done.cutsDeleted, done.objectsPending], [0, 0])
  t.is(done.objectsDeleted, later.objectsPending)
  t.deepEqual(cutsOf(replica).map((c) => c.id), ['000000000003'])
  t.is((await restore(replica, path.join(path.dirname(replica), 'out'))).digest, await digestOf(dir))
})
