import test from 'ava'
import type {ExecutionContext} from 'ava'
import {assertError, assertJsonError, ndjson, newStore, strata} from './helpers.js'

const KEYS = Array.from({length: 50}, (_, i) => `k${String(i).padStart(2, '0')}`)

async function loaded(t: ExecutionContext): Promise<string> {
  const dir = await newStore(t, 8)
  const input = KEYS.map((k) => JSON.stringify({key: k, value: `v-${k}`})).join('\n')
  const r = await strata(['put', '--batch', '-', '--dir', dir], {input: `${input}\n{"key":"other","value":"o"}\n`})
  t.is(r.code, 0, r.stderr)
  return dir
}

const keysOf = (stdout: string): string[] => stdout.split('\n').filter(Boolean)

test('scan lists every key in bytewise order across shards (text: key<TAB>value)', async (t) => {
  const dir = await loaded(t)
  const r = await strata(['scan', '--dir', dir])
  t.is(r.code, 0, r.stderr)
  t.deepEqual(keysOf(r.stdout), [...KEYS.map((k) => `${k}\tv-${k}`), 'other\to'])
  const shards = new Set(ndjson<{shard: number}>((await strata(['scan', '--dir', dir, '--format', 'ndjson'])).stdout).map((x) => x.shard))
  t.true(shards.size > 1, 'the keys really are spread over shards')
})

test('scan --from --to is half-open [from, to)', async (t) => {
  const dir = await loaded(t)
  const r = await strata(['scan', '--from', 'k10', '--to', 'k20', '--keys-only', '--dir', dir])
  t.deepEqual(keysOf(r.stdout), KEYS.slice(10, 20))
  const from = await strata(['scan', '--from', 'k45', '--keys-only', '--dir', dir])
  t.deepEqual(keysOf(from.stdout), [...KEYS.slice(45), 'other'])
  const to = await strata(['scan', '--to', 'k03', '--keys-only', '--dir', dir])
  t.deepEqual(keysOf(to.stdout), KEYS.slice(0, 3))
})

test('scan --prefix keeps keys starting with it', async (t) => {
  const dir = await loaded(t)
  const r = await strata(['scan', '--prefix', 'k1', '--keys-only', '--dir', dir])
  t.deepEqual(keysOf(r.stdout), KEYS.slice(10, 20))
  const hex = await strata(['scan', '--prefix', Buffer.from('k4').toString('hex'), '--key-encoding', 'hex', '--keys-only', '--dir', dir])
  t.deepEqual(keysOf(hex.stdout), KEYS.slice(40, 50).map((k) => Buffer.from(k).toString('hex')))
})

test('scan --reverse --limit returns the last keys in descending order', async (t) => {
  const dir = await loaded(t)
  const r = await strata(['scan', '--reverse', '--limit', '3', '--prefix', 'k', '--keys-only', '--dir', dir])
  t.deepEqual(keysOf(r.stdout), ['k49', 'k48', 'k47'])
  const lim = await strata(['scan', '--limit', '2', '--from', 'k05', '--keys-only', '--dir', dir])
  t.deepEqual(keysOf(lim.stdout), ['k05', 'k06'])
})

test('scan --format json is one document with records and count', async (t) => {
  const dir = await loaded(t)
  const r = await strata(['scan', '--prefix', 'k0', '--dir', dir, '--format', 'json'])
  t.is(r.code, 0, r.stderr)
  const doc = JSON.parse(r.stdout) as {records: Array<{key: string; value: string}>; count: number}
  t.is(doc.count, 10)
  t.deepEqual(doc.records.map((x) => x.key), KEYS.slice(0, 10))
  t.is(doc.records[0].value, 'v-k00')
  const keysOnly = await strata(['scan', '--prefix', 'k0', '--limit', '1', '--keys-only', '--dir', dir, '--json'])
  const rec = (JSON.parse(keysOnly.stdout) as {records: Array<Record<string, unknown>>}).records[0]
  t.false('value' in rec)
  t.is(rec.key, 'k00')
})

test('scan --format table shows KEY and VALUE columns', async (t) => {
  const dir = await loaded(t)
  const r = await strata(['scan', '--prefix', 'k4', '--dir', dir, '--format', 'table'])
  t.regex(r.stdout, /│ KEY\s+│ VALUE\s+│/)
  t.regex(r.stdout, /│ k49\s+│ v-k49\s+│/)
})

test('scan that matches nothing exits 1; json still prints an empty list', async (t) => {
  const dir = await loaded(t)
  const r = await strata(['scan', '--prefix', 'zzz', '--dir', dir])
  assertError(t, r, 'NOT_FOUND', 1, /no keys matched/)
  t.is(r.stdout, '')
  // A range that holds no key (an empty [from, to) is a usage error, see key-range.test.ts).
  const j = await strata(['scan', '--from', 'k30a', '--to', 'k30b', '--dir', dir, '--format', 'json'])
  assertJsonError(t, j, 'NOT_FOUND', 1)
  t.deepEqual(JSON.parse(j.stdout), {records: [], count: 0})
})

test('scan does not show deleted or expired keys', async (t) => {
  const dir = await loaded(t)
  await strata(['delete', 'k00', 'k01', '--dir', dir])
  await strata(['put', 'k02', 'x', '--ttl', '300ms', '--dir', dir])
  await new Promise((r) => setTimeout(r, 400))
  const r = await strata(['scan', '--to', 'k05', '--keys-only', '--dir', dir])
  t.deepEqual(keysOf(r.stdout), ['k03', 'k04'])
})
