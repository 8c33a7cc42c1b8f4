/**
 * /bulk, /scan and /bulk/range through a real server: loads in both body
 * forms with put --batch's per-chunk atomicity, NDJSON pages capped by
 * --max-range with continuations that walk the whole range, and bounds in
 * every key encoding.
 */
import test from 'ava'
import {strata} from '../helpers/cli.js'
import {errorOf, ndjson, newStore, startServe} from './helpers.js'

const ndjsonBody = (lines: readonly unknown[]): string => lines.map((l) => JSON.stringify(l)).join('\n') + '\n'

/** Follows continuations from `first` to the end; returns the keys and the number of pages. */
async function walk(url: string, path: string, first: string): Promise<{keys: string[]; pages: number; sizes: number[]}> {
  const keys: string[] = []
  const sizes: number[] = []
  let query: string | undefined = first
  let pages = 0
  while (query !== undefined) {
    const lines = await ndjson(await fetch(`${url}${path}?${query}`))
    pages++
    const next = lines.at(-1)?.next as {query: string} | undefined
    const records = next === undefined ? lines : lines.slice(0, -1)
    sizes.push(records.length)
    keys.push(...records.map((r) => String(r.key)))
    query = next?.query
    if (pages > 100) throw new Error('continuations do not end')
  }
  return {keys, pages, sizes}
}

test('POST /bulk takes NDJSON as put --batch does, and a JSON object; every record is then readable', async (t) => {
  const dir = newStore(t)
  const s = await startServe(t, dir)
  const lines = [
    {key: 'a', value: '1'},
    {key: 'b', value: '2', ttl: '1h'},
    {key: '00ff', value: 'beef', encoding: 'hex'},
    {key: 'j', value: {x: 1}, valueEncoding: 'json'},
    {key: 'a', delete: true},
  ]
  const r = await fetch(`${s.url}/bulk`, {method: 'POST', headers: {'content-type': 'application/x-ndjson'}, body: ndjsonBody(lines)})
  t.is(r.status, 200)
  t.deepEqual(await r.json(), {puts: 4, deletes: 1, expired: 0, lines: 5, chunks: 1})
  const o = await fetch(`${s.url}/bulk`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({o1: 'one', o2: {n: [1, 2]}, o3: 7})})
  t.deepEqual(await o.json(), {puts: 3, deletes: 0, expired: 0, lines: 3, chunks: 1})
  t.is((await fetch(`${s.url}/kv/a`)).status, 404)
  t.is(await (await fetch(`${s.url}/kv/b`)).text(), '2')
  t.truthy((await fetch(`${s.url}/kv/b`)).headers.get('x-strata-expires-at'))
  t.deepEqual(Buffer.from(await (await fetch(`${s.url}/kv/%00%ff`)).arrayBuffer()), Buffer.from('beef', 'hex'))
  const j = await fetch(`${s.url}/kv/o2`)
  t.regex(j.headers.get('content-type') ?? '', /^application\/json/)
  t.deepEqual(await j.json(), {n: [1, 2]})
  t.is(await (await fetch(`${s.url}/kv/o1`)).text(), 'one')
  t.is(await (await fetch(`${s.url}/kv/o3`)).text(), '7')
  for (const body of ['[1,2]', '{"a":', '"x"']) {
    await errorOf(t, await fetch(`${s.url}/bulk`, {method: 'POST', headers: {'content-type': 'application/json'}, body}), 400, 'INVALID_ARGUMENT')
  }
  t.is((await s.stop()).code, 0)
  t.is(strata(['get', 'o1', '--dir', dir]).stdout, 'one\n')
})

test('a bad NDJSON line stops /bulk: earlier chunks are applied, nothing of the bad chunk is', async (t) => {
  const dir = newStore(t)
  const s = await startServe(t, dir)
  const lines: unknown[] = []
  for (let i = 0; i < 7; i++) lines.push({key: `k${i}`, value: `v${i}`})
  const text = ndjsonBody(lines) + '{"key": "k7", "value": \n' + ndjsonBody([{key: 'k8', value: 'v8'}])
  // Chunks of 3: lines 1-3 and 4-6 apply; line 7 shares its chunk with the bad line 8.
  const r = await fetch(`${s.url}/bulk?chunk=3`, {method: 'POST', body: text})
  const e = await errorOf(t, r, 400, 'INVALID_ARGUMENT')
  t.is(e.appliedLines, 6)
  t.is(e.resumeFromLine, 7)
  t.regex(String(e.message), /line 8/)
  const present = []
  for (let i = 0; i < 9; i++) present.push((await fetch(`${s.url}/kv/k${i}`)).status)
  t.deepEqual(present, [200, 200, 200, 200, 200, 200, 404, 404, 404])
  for (const bad of ['{"key": "x"}\n', '{"key": "x", "value": "v", "oops": 1}\n', 'not json\n', '{"key": "zz", "value": "v", "encoding": "hex"}\n']) {
    const b = await errorOf(t, await fetch(`${s.url}/bulk`, {method: 'POST', body: bad}), 400, 'INVALID_ARGUMENT')
    t.is(b.appliedLines, 0)
  }
  await errorOf(t, await fetch(`${s.url}/bulk?chunk=0`, {method: 'POST', body: '{"key":"x","value":"y"}\n'}), 400, 'INVALID_ARGUMENT')
  t.is((await fetch(`${s.url}/kv/x`)).status, 404)
  t.is((await s.stop()).code, 0)
})

test('/scan pages are capped by --max-range and the continuations walk the range exactly once', async (t) => {
  const dir = newStore(t)
  const s = await startServe(t, dir, ['--max-range', '4'])
  const keys = Array.from({length: 11}, (_, i) => `key${String(i).padStart(2, '0')}`)
  await fetch(`${s.url}/bulk`, {method: 'POST', body: ndjsonBody([...keys.map((k) => ({key: k, value: k.toUpperCase()})), {key: 'other', value: 'x'}])})

  const all = await walk(s.url, '/scan', 'prefix=key')
  t.deepEqual(all.keys, keys)
  t.deepEqual(all.sizes, [4, 4, 3])
  const rev = await walk(s.url, '/scan', 'prefix=key&reverse=1')
  t.deepEqual(rev.keys, [...keys].reverse())
  const limited = await walk(s.url, '/scan', 'from=key02&to=key09&limit=6')
  t.deepEqual(limited.keys, keys.slice(2, 8))
  t.deepEqual(limited.sizes, [4, 2])
  const small = await ndjson(await fetch(`${s.url}/scan?prefix=key&limit=2`))
  t.deepEqual(small.map((r) => r.key), ['key00', 'key01'], 'a limit under the cap: no continuation')
  const first = (await ndjson(await fetch(`${s.url}/scan?from=key03&limit=1`)))[0]
  t.like(first, {key: 'key03', keyEncoding: 'utf8', value: 'KEY03', valueEncoding: 'utf8', json: false, expiresAt: null})

  const range = await walk(s.url, '/bulk/range', 'start_key=key01&end_key=key09')
  t.deepEqual(range.keys, keys.slice(1, 10), 'end_key is included')
  const hex = await walk(s.url, '/bulk/range', `start_key=${Buffer.from('key08').toString('hex')}&key-encoding=hex`)
  t.deepEqual(hex.keys, [...keys.slice(8), 'other'].map((k) => Buffer.from(k).toString('hex')))
  const b64 = await ndjson(await fetch(`${s.url}/scan?prefix=${encodeURIComponent(Buffer.from('key1').toString('base64'))}&key-encoding=base64&value-encoding=hex`))
  t.deepEqual(b64.map((r) => [r.key, r.value]), [[Buffer.from('key10').toString('base64'), Buffer.from('KEY10').toString('hex')]])

  for (const q of ['limit=0', 'limit=x', 'reverse=maybe', 'from=b&to=a', 'from=zz&key-encoding=hex', 'what=1']) {
    await errorOf(t, await fetch(`${s.url}/scan?${q}`), 400, 'INVALID_ARGUMENT')
  }
  await errorOf(t, await fetch(`${s.url}/bulk/range?limit=3`), 400, 'INVALID_ARGUMENT')
  t.is((await s.stop()).code, 0)
})

test('binary keys page through /scan: continuations carry any bytes', async (t) => {
  const dir = newStore(t)
  const s = await startServe(t, dir, ['--max-range', '2'])
  const keys = [[0x00], [0x00, 0x25], [0x25, 0x26], [0x2b, 0x3d], [0x80, 0xff], [0xff, 0xfe]].map((b) => Buffer.from(b))
  const load = await fetch(`${s.url}/bulk`, {method: 'POST', body: ndjsonBody(keys.map((k) => ({key: k.toString('hex'), value: '76', encoding: 'hex'})))})
  t.is(load.status, 200)
  // Under utf8 the continuation is the key's raw bytes, percent-encoded.
  const forward = await walk(s.url, '/scan', '')
  t.is(forward.keys.length, keys.length)
  t.deepEqual(forward.sizes, [2, 2, 2])
  const hexWalk = await walk(s.url, '/scan', 'key-encoding=hex')
  t.deepEqual(hexWalk.keys, keys.map((k) => k.toString('hex')))
  t.is(hexWalk.pages, 3)
  t.is((await s.stop()).code, 0)
})
