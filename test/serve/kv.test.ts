/**
 * /kv/{key} through a real server: writes, reads, deletes, binary keys in
 * every key encoding, TTL and JSON headers, and the status and JSON error
 * body of each failure.
 */
import test from 'ava'
import {strata} from '../helpers/cli.js'
import {errorOf, newStore, startServe} from './helpers.js'

test('put, get and delete a key; a missing key is 404 NOT_FOUND', async (t) => {
  const dir = newStore(t)
  const s = await startServe(t, dir)
  const put = await fetch(`${s.url}/kv/user:1`, {method: 'PUT', body: 'alice'})
  t.is(put.status, 200)
  t.deepEqual(await put.json(), {key: 'user:1', keyEncoding: 'utf8', valueBytes: 5, json: false, ttlMs: null, schema: null})
  const got = await fetch(`${s.url}/kv/user:1`)
  t.is(got.status, 200)
  t.is(got.headers.get('content-type'), 'application/octet-stream')
  t.is(got.headers.get('x-strata-expires-at'), null)
  t.is(await got.text(), 'alice')
  t.is((await fetch(`${s.url}/kv/user:1`, {method: 'POST', body: 'bob'})).status, 200)
  t.is(await (await fetch(`${s.url}/kv/user:1`)).text(), 'bob')
  const head = await fetch(`${s.url}/kv/user:1`, {method: 'HEAD'})
  t.is(head.status, 200)
  t.is(head.headers.get('content-length'), '3')

  const del = await fetch(`${s.url}/kv/user:1`, {method: 'DELETE'})
  t.deepEqual(await del.json(), {key: 'user:1', keyEncoding: 'utf8', deleted: true})
  t.deepEqual(await (await fetch(`${s.url}/kv/user:1`, {method: 'DELETE'})).json(), {key: 'user:1', keyEncoding: 'utf8', deleted: false})
  const missing = await errorOf(t, await fetch(`${s.url}/kv/user:1`), 404, 'NOT_FOUND')
  t.regex(String(missing.message), /user:1/)
  t.is((await s.stop()).code, 0)
  // What the server acknowledged is what the CLI reads once it has stopped.
  t.is(strata(['get', 'user:1', '--dir', dir]).code, 1)
})

test('binary keys: percent-encoded bytes in the path, or hex and base64 with key-encoding', async (t) => {
  const dir = newStore(t)
  const s = await startServe(t, dir)
  const key = Buffer.from([0x00, 0xff, 0x2f, 0x25, 0x3f, 0x20, 0x80])
  const pct = [...key].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')
  const value = Buffer.from([0xde, 0xad, 0x00, 0xbe, 0xef])
  const put = await fetch(`${s.url}/kv/${pct}`, {method: 'PUT', body: value})
  t.is(put.status, 200)
  t.deepEqual(await put.json(), {key: key.toString('base64'), keyEncoding: 'base64', valueBytes: 5, json: false, ttlMs: null, schema: null})
  t.deepEqual(Buffer.from(await (await fetch(`${s.url}/kv/${key.toString('hex')}?key-encoding=hex`)).arrayBuffer()), value)
  t.deepEqual(Buffer.from(await (await fetch(`${s.url}/kv/${encodeURIComponent(key.toString('base64'))}?key-encoding=base64`)).arrayBuffer()), value)
  // A literal "/" in the path is part of the key.
  t.is((await fetch(`${s.url}/kv/a/b`, {method: 'PUT', body: 'slash'})).status, 200)
  t.is(await (await fetch(`${s.url}/kv/a%2Fb`)).text(), 'slash')
  // SIGINT (Ctrl-C) stops it as SIGTERM does.
  t.is((await s.stop('SIGINT')).code, 0)
  t.regex(s.stderr(), /stopped after SIGINT/)
  const r = strata(['get', key.toString('hex'), '--key-encoding', 'hex', '--value-encoding', 'hex', '--dir', dir])
  t.is(r.stdout.trim(), value.toString('hex'))
})

test('a TTL is given as ?ttl and shown in headers; JSON values get application/json', async (t) => {
  const dir = newStore(t)
  const s = await startServe(t, dir)
  const before = Date.now()
  const put = await fetch(`${s.url}/kv/session?ttl=10m`, {method: 'PUT', body: 'x'})
  t.is(((await put.json()) as {ttlMs: number}).ttlMs, 600_000)
  const got = await fetch(`${s.url}/kv/session`)
  const at = Number(got.headers.get('x-strata-expires-at'))
  t.true(at >= before + 600_000 && at <= Date.now() + 600_000, String(at))
  const left = Number(got.headers.get('x-strata-ttl'))
  t.true(left > 0 && left <= 600_000, String(left))

  t.is((await fetch(`${s.url}/kv/doc?json=1`, {method: 'PUT', body: '{"a": [1, 2]}'})).status, 200)
  const doc = await fetch(`${s.url}/kv/doc`)
  t.regex(doc.headers.get('content-type') ?? '', /^application\/json/)
  t.is(await doc.text(), '{"a": [1, 2]}')
  await errorOf(t, await fetch(`${s.url}/kv/doc?json=1`, {method: 'PUT', body: '{nope'}), 400, 'INVALID_ARGUMENT')
  await errorOf(t, await fetch(`${s.url}/kv/k?ttl=soon`, {method: 'PUT', body: 'x'}), 400, 'INVALID_ARGUMENT')
  t.is((await s.stop()).code, 0)
  const r = strata(['get', 'doc', '--dir', dir, '--format', 'json'])
  t.deepEqual((JSON.parse(r.stdout) as {records: Array<{value: unknown; json: boolean}>}).records.map((x) => [x.value, x.json]), [[{a: [1, 2]}, true]])
})

test('malformed keys and queries are 400; unknown paths 404; wrong methods 405 with Allow', async (t) => {
  const dir = newStore(t)
  const s = await startServe(t, dir)
  for (const path of ['/kv/%G1', '/kv/ab%', '/kv/%4', '/kv/zz?key-encoding=hex', '/kv/abc?key-encoding=hex', '/kv/a?key-encoding=rot13', '/kv/a?bogus=1', '/kv/a?x=%ZZ', '/kv/a?key-encoding=hex&key-encoding=hex']) {
    await errorOf(t, await fetch(`${s.url}${path}`), 400, 'INVALID_ARGUMENT')
  }
  // A request line over Node's header limit (16 KiB) is refused before routing.
  await errorOf(t, await fetch(`${s.url}/kv/${'k'.repeat(65 * 1024)}`), 431, 'INVALID_ARGUMENT')
  await errorOf(t, await fetch(`${s.url}/kv/${'6b'.repeat(8 * 1024)}?key-encoding=hex`), 431, 'INVALID_ARGUMENT')
  for (const path of ['/', '/kv', '/kv/', '/nope', '/scan/x', '/bulkx']) await errorOf(t, await fetch(`${s.url}${path}`), 404, 'NOT_FOUND')
  const patch = await fetch(`${s.url}/kv/a`, {method: 'PATCH', body: 'x'})
  t.is(patch.headers.get('allow'), 'GET, PUT, POST, DELETE')
  t.deepEqual((await errorOf(t, patch, 405, 'INVALID_ARGUMENT')).allowed, ['GET', 'PUT', 'POST', 'DELETE'])
  await errorOf(t, await fetch(`${s.url}/scan`, {method: 'POST', body: 'x'}), 405, 'INVALID_ARGUMENT')
  await errorOf(t, await fetch(`${s.url}/bulk`), 405, 'INVALID_ARGUMENT')
  t.is((await fetch(`${s.url}/healthz`)).status, 200, 'the server still answers')
  t.is((await s.stop()).code, 0)
})

test('a read-only server reads while another process writes, and refuses writes with 405 naming its role', async (t) => {
  const dir = newStore(t)
  t.is(strata(['put', 'k', 'v1', '--dir', dir]).code, 0)
  const s = await startServe(t, dir, ['--read-only'])
  t.is(await (await fetch(`${s.url}/kv/k`)).text(), 'v1')
  t.is(strata(['put', 'k', 'v2', '--dir', dir]).code, 0, 'the read-only server does not hold the lock')
  // It opens a fresh view at most every second: poll until the write shows.
  let seen = ''
  for (const deadline = Date.now() + 20_000; seen !== 'v2' && Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
    seen = await (await fetch(`${s.url}/kv/k`)).text()
  }
  t.is(seen, 'v2')
  for (const [method, path] of [['PUT', '/kv/k'], ['POST', '/kv/k'], ['DELETE', '/kv/k'], ['POST', '/bulk']]) {
    const e = await errorOf(t, await fetch(`${s.url}${path}`, {method, ...(method === 'DELETE' ? {} : {body: '{"key":"a","value":"b"}'})}), 405, 'INVALID_ARGUMENT')
    t.is(e.role, 'read-only')
  }
  t.deepEqual(await (await fetch(`${s.url}/healthz`)).json(), {status: 'ok', role: 'read-only'})
  t.is((await s.stop()).code, 0)
  t.is(strata(['get', 'k', '--dir', dir]).stdout, 'v2\n')
})
