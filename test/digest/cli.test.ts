/**
 * `strata digest` as a real child process: equal digests for the same live
 * data (after compact, in a dump | put --batch copy with another shard count,
 * at one --at across an expiry), different digests after any single change,
 * selection flags, exit codes, and that it reads without the writer lock.
 */
import test, {type ExecutionContext} from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {digestStore, open, type DigestOptions} from '../../src/index.js'
import {assertError, assertJsonError, newStore, strata, treeHash} from '../cli/helpers.js'
import {sumHex} from './reference.js'

interface DigestDoc {
  digest: string
  records: number
  at: number
  version: number
  shardCount: number
  shards: {shard: number; digest: string; records: number}[]
}

const HEX64 = /^[0-9a-f]{64}$/
const DAY = 86_400_000

const lines = (objs: readonly unknown[]): string => objs.map((o) => JSON.stringify(o)).join('\n') + '\n'

async function run(t: ExecutionContext, args: readonly string[], input?: string): Promise<string> {
  const r = await strata(args, input === undefined ? {} : {input})
  t.is(r.code, 0, `${args.join(' ')}: ${r.stderr}`)
  return r.stdout
}

async function digest(t: ExecutionContext, dir: string, ...flags: string[]): Promise<DigestDoc> {
  return JSON.parse(await run(t, ['digest', '--dir', dir, '--format', 'json', ...flags])) as DigestDoc
}

/**
 * A store with tables and WAL records: binary keys, empty and large values,
 * JSON values, expiries in the past and far in the future, overwrites and deletes.
 */
async function richStore(t: ExecutionContext, shards: number, now: number): Promise<string> {
  const dir = await newStore(t, shards)
  const objs: unknown[] = []
  for (let i = 0; i < 3000; i++) {
    const key = i % 50 === 0 ? Buffer.from([0, i & 0xff, 0xff, 10]).toString('base64') : Buffer.from(`user:${String(i).padStart(5, '0')}`).toString('base64')
    const json = i % 7 === 0
    const value = Buffer.from(json ? JSON.stringify({i, pad: 'x'.repeat(400)}) : i % 97 === 0 ? '' : `value ${i} ${'y'.repeat(1500 + (i % 500))}`).toString('base64')
    objs.push({key, value, encoding: 'base64', ...(json ? {json: true} : {}), ...(i % 5 === 0 ? {expiresAt: now + DAY + i} : i % 13 === 0 ? {expiresAt: now - DAY} : {})})
  }
  // Over 1 MiB of WAL: the load's close flushes it to a table.
  await run(t, ['put', '--batch', '-', '--dir', dir], lines(objs))
  // These stay in the WAL: an overwrite, a delete, a new key.
  await run(t, ['put', 'user:00001', 'rewritten', '--dir', dir])
  await run(t, ['delete', 'user:00002', '--dir', dir])
  await run(t, ['put', 'zz:new', '{"n":1}', '--json', '--dir', dir])
  const stats = JSON.parse(await run(t, ['stats', '--dir', dir, '--format', 'json'])) as {totals: {tables: number; memtableEntries: number}}
  t.true(stats.totals.tables > 0 && stats.totals.memtableEntries > 0, 'records in tables and in the WAL')
  return dir
}

test('digest --format json has the documented shape; text shows the digest and each shard', async (t) => {
  const dir = await newStore(t, 3)
  await run(t, ['put', 'a', '1', '--dir', dir])
  await run(t, ['put', 'b', '2', '--dir', dir])
  const d = await digest(t, dir, '--at', '2030-01-01T00:00:00Z')
  t.regex(d.digest, HEX64)
  t.like(d, {records: 2, at: Date.parse('2030-01-01T00:00:00Z'), version: 1, shardCount: 3})
  t.deepEqual(d.shards.map((s) => s.shard), [0, 1, 2])
  for (const s of d.shards) t.regex(s.digest, HEX64)
  t.is(d.shards.reduce((n, s) => n + s.records, 0), 2)
  t.is(sumHex(d.shards.map((s) => s.digest)), d.digest)

  const text = await run(t, ['digest', '--dir', dir, '--at', '1893456000000'])
  const out = text.split('\n').filter(Boolean)
  t.is(out[0], `digest ${d.digest}`)
  t.regex(out[1], /^2 live records in 3 shards of 3, expiry judged at 2030-01-01T00:00:00.000Z \(1893456000000\)$/)
  t.deepEqual(out.slice(2), d.shards.map((s) => `shard ${s.shard}: ${s.digest} ${s.records} record${s.records === 1 ? '' : 's'}`))
  const nd = await run(t, ['digest', '--dir', dir, '--at', '1893456000000', '--format', 'ndjson'])
  t.deepEqual(JSON.parse(nd), d)
})

test('compact leaves the digest unchanged, and so does a copy through dump --latest | put --batch with another shard count', async (t) => {
  const at = String(Date.now())
  const src = await richStore(t, 4, Number(at))
  const before = await digest(t, src, '--at', at)
  t.true(before.records > 2000)

  // The copy: absolute expiries, JSON flags and exact bytes survive the NDJSON path.
  const dump = await run(t, ['dump', src, '--records', '--latest', '--format', 'ndjson', '--key-encoding', 'base64', '--value-encoding', 'base64'])
  const copy = await newStore(t, 7)
  await run(t, ['put', '--batch', '-', '--dir', copy], dump)
  const copied = await digest(t, copy, '--at', at)
  t.is(copied.digest, before.digest)
  t.is(copied.records, before.records)
  t.is(copied.shards.length, 7)

  await run(t, ['compact', '--dir', src])
  const stats = JSON.parse(await run(t, ['stats', '--dir', src, '--format', 'json'])) as {totals: {memtableEntries: number}}
  t.is(stats.totals.memtableEntries, 0, 'compact flushed the WAL into tables')
  const after = await digest(t, src, '--at', at)
  t.is(after.digest, before.digest)
  t.deepEqual(after.shards, before.shards)
})

test('any single put, delete, overwrite, TTL change or JSON-flag change changes the digest; rewriting the same record does not', async (t) => {
  const dir = await newStore(t, 3)
  await run(t, ['put', '--batch', '-', '--dir', dir], lines([{key: 'a', value: '1'}, {key: 'b', value: '2'}, {key: 'c', value: '{"x":1}', json: true}]))
  const at = String(Date.now())
  const seen = new Map<string, string>()
  const step = async (name: string, ...cmd: string[]): Promise<void> => {
    await run(t, [...cmd, '--dir', dir])
    const d = (await digest(t, dir, '--at', at)).digest
    t.false(seen.has(d), `${name} gives the digest of ${seen.get(d) ?? ''}`)
    seen.set(d, name)
  }
  seen.set((await digest(t, dir, '--at', at)).digest, 'start')
  await step('put of a new key', 'put', 'd', '4')
  await step('delete', 'delete', 'a')
  await step('overwrite', 'put', 'b', '22')
  await step('TTL added', 'put', 'b', '22', '--ttl', '2h')
  await step('TTL changed', 'put', 'b', '22', '--ttl', '3h')
  await step('JSON flag set', 'put', 'd', '4', '--json')
  await step('JSON flag cleared', 'put', 'c', '{"x":1}')
  t.is(seen.size, 8)

  const last = (await digest(t, dir, '--at', at)).digest
  await run(t, ['put', 'd', '4', '--json', '--dir', dir])
  t.is((await digest(t, dir, '--at', at)).digest, last, 'the same record written again: same live data, same digest')
})

test('with one --at the digest is the same before and after a key expires in wall time', async (t) => {
  const dir = await newStore(t, 2)
  await run(t, ['put', 'stays', 'x', '--dir', dir])
  // Written and digested in this process, so that the first digest surely runs before the expiry.
  const at = Date.now()
  const expiresAt = at + 3000
  const w = await open(dir)
  await w.put('brief', 'y', {expiresAt})
  await w.close()
  const before = await digestStore(dir, {at})
  t.true(Date.now() < expiresAt, 'the first digest ran before the key expired')
  t.is(before.records, 2)
  await new Promise((r) => setTimeout(r, Math.max(0, expiresAt - Date.now()) + 100))
  t.true(Date.now() > expiresAt)
  const after = await digest(t, dir, '--at', new Date(at).toISOString())
  t.like(after, {digest: before.digest, records: 2, at})
  const now = await digest(t, dir)
  t.is(now.records, 1, 'without --at the key has expired')
  t.not(now.digest, before.digest)
  t.is((await digest(t, dir, '--at', String(expiresAt))).digest, now.digest, 'a record expiring exactly at --at is not live')
})

test('--shard and --from/--to/--prefix select records; the shard digests sum to the total', async (t) => {
  const dir = await newStore(t, 4)
  const objs = Array.from({length: 300}, (_, i) => ({key: `${i % 3 === 0 ? 'user:' : 'item:'}${String(i).padStart(3, '0')}`, value: `v${i}`}))
  await run(t, ['put', '--batch', '-', '--dir', dir], lines(objs))
  const all = await digest(t, dir)
  t.is(all.records, 300)
  t.is(sumHex(all.shards.map((s) => s.digest)), all.digest)
  t.true(all.shards.every((s) => s.records > 0))
  const one = await digest(t, dir, '--shard', '2')
  t.deepEqual(one.shards, [all.shards[2]])
  t.like(one, {digest: all.shards[2].digest, records: all.shards[2].records})

  // The range flags reach the library as the same selection (whose results test/digest/definition.test.ts checks).
  const select = async (flags: string[], options: DigestOptions, expected: number): Promise<void> => {
    const part = await digest(t, dir, '--at', '1000', ...flags)
    t.like(part, {digest: (await digestStore(dir, {at: 1000, ...options})).digest, records: expected}, flags.join(' '))
    t.is(sumHex(part.shards.map((s) => s.digest)), part.digest)
  }
  await select(['--prefix', 'user:'], {prefix: 'user:'}, 100)
  await select(['--from', 'item:100', '--to', 'item:200'], {from: 'item:100', to: 'item:200'}, 67)
  await select(['--prefix', '757365723a', '--from', '757365723a323530', '--key-encoding', 'hex'], {prefix: 'user:', from: 'user:250'}, 16)
  t.like(await digest(t, dir, '--from', 'item:5', '--to', 'item:5'), {digest: '0'.repeat(64), records: 0})
})

test('bad input exits 2 with a stable code; damaged data exits 3', async (t) => {
  const dir = await newStore(t, 2)
  await run(t, ['put', 'a', '1', '--dir', dir])
  assertError(t, await strata(['digest', '--dir', dir, '--from', 'b', '--to', 'a']), 'INVALID_ARGUMENT', 2)
  assertError(t, await strata(['digest', '--dir', dir, '--shard', '2']), 'INVALID_ARGUMENT', 2)
  assertError(t, await strata(['digest', '--dir', dir, '--shard', '-1']), 'USAGE', 2)
  for (const at of ['yesterday', '2026-01-01T00:00:00', '-5', '2026-13-01', '2026-02-30', '2026-02-29T10:00:00Z', '']) {
    assertError(t, await strata(['digest', '--dir', dir, '--at', at]), 'INVALID_ARGUMENT', 2)
  }
  assertError(t, await strata(['digest', '--dir', dir, '--from', 'zz', '--key-encoding', 'hex']), 'INVALID_ARGUMENT', 2)
  assertError(t, await strata(['digest', '--dir', path.join(dir, 'nope')]), 'NOT_A_STORE', 2)
  assertJsonError(t, await strata(['digest', '--dir', dir, '--from', 'b', '--to', 'a', '--format', 'json']), 'INVALID_ARGUMENT', 2)

  // Damage a data block of a table: the digest reads every block and stops with exit 3.
  const big = Array.from({length: 3000}, (_, i) => ({key: `k${i}`, value: 'v'.repeat(1200)}))
  await run(t, ['put', '--batch', '-', '--dir', dir], lines(big))
  const tables = ['shard-0000', 'shard-0001'].flatMap((s) => fs.readdirSync(path.join(dir, s)).filter((f) => f.endsWith('.sst')).map((f) => path.join(dir, s, f)))
  t.true(tables.length > 0)
  const bytes = fs.readFileSync(tables[0])
  bytes[40] ^= 0xff
  fs.writeFileSync(tables[0], bytes)
  assertError(t, await strata(['digest', '--dir', dir]), 'CORRUPTION', 3)
})

test('digest reads while a writer holds the lock, and changes nothing', async (t) => {
  const dir = await newStore(t, 2)
  await run(t, ['put', 'a', '1', '--dir', dir])
  const expected = (await digest(t, dir, '--at', '1000')).digest
  const before = treeHash(dir)
  const writer = await open(dir)
  try {
    const d = await digest(t, dir, '--at', '1000')
    t.is(d.digest, expected)
  } finally {
    await writer.close()
  }
  const again = await digest(t, dir, '--at', '1000')
  t.is(again.digest, expected)
  t.deepEqual(treeHash(dir), before)
})
