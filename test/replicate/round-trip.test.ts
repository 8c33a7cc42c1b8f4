/**
 * `strata replicate` then `strata restore`, round after round, as real
 * child processes on a directory replica: every cut restores into a store
 * whose digest is the one the source had when the cut was taken; a run
 * after a few puts ships only WAL bytes and the descriptor; objects are
 * uploaded once; schemas travel with the store.
 */
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {open, replicate, restore} from '../../src/index.js'
import {strata} from '../helpers/cli.js'
import {snapshotTree, tempDir} from '../helpers/temp.js'
import {buildStore, cutsOf, digestOf, expectExit, filesBelow, putSome, writeRounds} from './helpers.js'

/** The source tree without what replicate may touch (pins, the lock, the identity). */
function sourceTree(dir: string): Record<string, string> {
  return Object.fromEntries(Object.entries(snapshotTree(dir)).filter(([p]) => !p.startsWith('pins') && p !== 'LOCK' && p !== 'STORE-ID'))
}

test('each cut of several rounds restores to the digest the source had at that cut', async (t) => {
  t.timeout(180_000)
  const root = tempDir(t)
  const dir = path.join(root, 'db')
  const replica = path.join(root, 'replica')
  await buildStore(dir)
  const expected: {id: string; digest: string}[] = []
  for (const [i, round] of writeRounds(dir).entries()) {
    await round()
    const digest = await digestOf(dir)
    const before = sourceTree(dir)
    const r = expectExit(strata(['replicate', '--dir', dir, replica, '--format', 'json']), 0, `replicate round ${i}`)
    t.deepEqual(sourceTree(dir), before, 'replicate changes nothing in the source but pins, lock and identity')
    const report = JSON.parse(r.stdout)
    t.is(report.cuts.length, 1)
    t.is(report.cuts[0].digest, digest, `round ${i}: the cut's digest is the source's`)
    expected.push({id: report.cuts[0].id, digest})
  }
  t.deepEqual(expected.map((e) => e.id), ['000000000001', '000000000002', '000000000003', '000000000004'])
  t.true(fs.existsSync(path.join(dir, 'STORE-ID')))
  // Schemas travel with the store.
  t.true(filesBelow(replica).some((f) => f.startsWith('data/schemas/user.')))
  const list = JSON.parse(expectExit(strata(['restore', replica, '--list', '--format', 'json']), 0, 'list').stdout)
  t.deepEqual(list.map((c: {id: string; digest: string}) => [c.id, c.digest]), expected.map((e) => [e.id, e.digest]))
  for (const e of expected) {
    const out = path.join(root, `out-${e.id}`)
    const r = expectExit(strata(['restore', replica, '--dir', out, '--cut', e.id, '--format', 'json']), 0, `restore ${e.id}`)
    t.is(JSON.parse(r.stdout).digest, e.digest)
    t.is(await digestOf(out), e.digest, `cut ${e.id}`)
    t.is(expectExit(strata(['verify', '--dir', out]), 0, `verify ${e.id}`).code, 0)
    t.true(fs.existsSync(path.join(out, 'schemas')), 'the registry is restored')
    t.false(fs.existsSync(path.join(out, 'STORE-ID')), 'a restored store gets an identity of its own')
  }
  // Every object is uploaded once: no key appears in two runs' shipments, so the sum of shipped bytes is the replica's data.
  const cuts = cutsOf(replica)
  const dataBytes = filesBelow(replica).filter((f) => f.startsWith('data/')).reduce((n, f) => n + fs.statSync(path.join(replica, f)).size, 0)
  const listedOnce = new Map<string, number>()
  for (const c of cuts) for (const o of c.objects) listedOnce.set(o.key, o.size)
  t.is(dataBytes, [...listedOnce.values()].reduce((a, b) => a + b, 0), 'the replica holds each listed object once and nothing else')
})

test('a run after a few puts ships only the new WAL bytes; the default restore is the newest cut', async (t) => {
  t.timeout(120_000)
  const root = tempDir(t)
  const dir = path.join(root, 'db')
  const replica = `file://${path.join(root, 'replica')}`
  await buildStore(dir, 30)
  const first = JSON.parse(expectExit(strata(['replicate', '--dir', dir, replica, '--format', 'json']), 0, 'first').stdout).cuts[0]
  t.true(first.bytes > 30_000, `the store holds ${first.bytes} bytes`)
  t.is(first.shippedBytes, first.bytes)
  await putSome(dir, ['x1', 'x2', 'x3', 'x4', 'x5'])
  const second = JSON.parse(expectExit(strata(['replicate', '--dir', dir, replica, '--format', 'json']), 0, 'second').stdout).cuts[0]
  t.true(second.shippedBytes > 0 && second.shippedBytes < 2000, `shipped ${second.shippedBytes} bytes`)
  t.true(second.shippedObjects >= 1 && second.shippedObjects <= 3, `shipped ${second.shippedObjects} objects (one WAL range per shard written)`)
  t.is(second.bytes, first.bytes + second.shippedBytes)
  const unchanged = JSON.parse(expectExit(strata(['replicate', '--dir', dir, replica, '--format', 'json']), 0, 'third').stdout).cuts[0]
  t.is(unchanged.shippedObjects, 0, 'nothing changed, nothing shipped')
  t.is(unchanged.digest, second.digest)
  const out = path.join(root, 'out')
  const r = JSON.parse(expectExit(strata(['restore', replica, '--dir', out, '--format', 'json']), 0, 'restore').stdout)
  t.is(r.cut, unchanged.id)
  t.is(await digestOf(out), await digestOf(dir))
  const s = await open(out, {readOnly: true})
  t.is((await s.get('x5'))?.value.toString(), 'value of x5')
  await s.close()
})

test('a process holding the store open as its writer replicates it through its own cuts', async (t) => {
  const root = tempDir(t)
  const dir = path.join(root, 'db')
  const replica = path.join(root, 'replica')
  await buildStore(dir, 2)
  const s = await open(dir)
  try {
    await s.put('held-1', 'one')
    const first = await replicate(s, replica)
    await s.put('held-2', 'two')
    const second = await replicate(s, replica)
    t.deepEqual([first.cuts[0].id, second.cuts[0].id], ['000000000001', '000000000002'])
    t.true(second.cuts[0].shippedBytes < 1000, `shipped ${second.cuts[0].shippedBytes} bytes`)
  } finally {
    await s.close()
  }
  const out = path.join(root, 'out')
  await restore(replica, out)
  t.is(await digestOf(out), await digestOf(dir))
})
