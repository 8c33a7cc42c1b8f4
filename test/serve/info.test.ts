/**
 * /stats, /digest, /healthz and /metrics through a real server, and writes
 * validated against a registered schema (?schema=NAME@V) read back upgraded.
 */
import test from 'ava'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {strata} from '../helpers/cli.js'
import {tempDir} from '../helpers/temp.js'
import {errorOf, newStore, startServe} from './helpers.js'

test('/stats and /digest agree with the CLI; /healthz names the role', async (t) => {
  const dir = newStore(t, 2)
  const s = await startServe(t, dir)
  for (const k of ['a', 'b', 'c']) t.is((await fetch(`${s.url}/kv/${k}`, {method: 'PUT', body: k.repeat(3)})).status, 200)
  const stats = (await (await fetch(`${s.url}/stats`)).json()) as {shardCount: number; role: string; totals: {memtableEntries: number}; shards: unknown[]}
  t.is(stats.shardCount, 2)
  t.is(stats.shards.length, 2)
  t.is(stats.role, 'primary')
  t.is(stats.totals.memtableEntries, 3)
  const at = 1767225600000
  const digest = (await (await fetch(`${s.url}/digest?at=${at}`)).json()) as {digest: string; records: number; at: number}
  t.is(digest.records, 3)
  t.is(digest.at, at)
  t.deepEqual(await (await fetch(`${s.url}/healthz`)).json(), {status: 'ok', role: 'primary'})
  await errorOf(t, await fetch(`${s.url}/digest?at=soon`), 400, 'INVALID_ARGUMENT')
  await errorOf(t, await fetch(`${s.url}/stats?x=1`), 400, 'INVALID_ARGUMENT')
  t.is((await s.stop()).code, 0)
  const cli = JSON.parse(strata(['digest', '--dir', dir, '--at', String(at), '--format', 'json']).stdout) as {digest: string}
  t.is(cli.digest, digest.digest)
})

test('/metrics counts requests by route and status in the Prometheus text format', async (t) => {
  const dir = newStore(t)
  const s = await startServe(t, dir)
  await fetch(`${s.url}/kv/a`, {method: 'PUT', body: 'hello'})
  await fetch(`${s.url}/kv/a`)
  await fetch(`${s.url}/kv/missing`)
  await fetch(`${s.url}/nope`)
  const res = await fetch(`${s.url}/metrics`)
  t.regex(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/)
  const text = await res.text()
  t.regex(text, /^strata_http_requests_total\{route="\/kv",method="PUT",status="200"\} 1$/m)
  t.regex(text, /^strata_http_requests_total\{route="\/kv",method="GET",status="200"\} 1$/m)
  t.regex(text, /^strata_http_requests_total\{route="\/kv",method="GET",status="404"\} 1$/m)
  t.regex(text, /^strata_http_requests_total\{route="unmatched",method="GET",status="404"\} 1$/m)
  t.regex(text, /^strata_http_request_duration_seconds_count\{route="\/kv"\} 3$/m)
  t.regex(text, /^strata_http_request_duration_seconds_bucket\{route="\/kv",le="\+Inf"\} 3$/m)
  const bytesIn = Number(/^strata_http_request_bytes_total\{route="\/kv"\} (\d+)$/m.exec(text)?.[1])
  t.true(bytesIn > 5, String(bytesIn))
  t.regex(text, /^strata_store_memtable_entries 1$/m)
  t.regex(text, /^# TYPE strata_http_request_duration_seconds histogram$/m)
  // Every sample line is NAME{labels} VALUE or NAME VALUE.
  const samples = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'))
  t.true(samples.length > 10)
  t.deepEqual(samples.filter((l) => !/^[a-z_]+(\{[^}]*\})? [\d.e+-]+$/.test(l)), [])
  t.regex(text, /^strata_store_flushes_total 0$/m)
  t.regex(text, /^strata_store_compactions_total 0$/m)
  t.is((await s.stop()).code, 0)
})

test('/metrics counts the flushes a load causes', async (t) => {
  const dir = newStore(t, 1)
  const s = await startServe(t, dir)
  // 6 MiB into one shard: past the 4 MiB WAL that triggers a flush.
  const line = (i: number): string => JSON.stringify({key: `k${i}`, value: 'v'.repeat(1024)})
  const body = Array.from({length: 6 * 1024}, (_, i) => line(i)).join('\n') + '\n'
  t.is((await fetch(`${s.url}/bulk`, {method: 'POST', body})).status, 200)
  const text = await (await fetch(`${s.url}/metrics`)).text()
  const flushes = Number(/^strata_store_flushes_total (\d+)$/m.exec(text)?.[1])
  t.true(flushes >= 1, String(flushes))
  t.regex(text, /^# TYPE strata_store_flushes_total counter$/m)
  const tables = Number(/^strata_store_tables (\d+)$/m.exec(text)?.[1])
  t.true(tables >= 1, String(tables))
  t.is((await s.stop()).code, 0)
})

test('?schema=NAME@V validates the value and stamps it; reads upgrade it to the latest version, as get does', async (t) => {
  const dir = newStore(t)
  const files = tempDir(t)
  const v1 = join(files, 'v1.json')
  const v2 = join(files, 'v2.json')
  writeFileSync(v1, JSON.stringify({version: 1, schema: {type: 'object', properties: {name: {type: 'string'}}, required: ['name']}}))
  writeFileSync(v2, JSON.stringify({version: 2, schema: {type: 'object', properties: {name: {type: 'string'}, city: {type: 'string'}}, required: ['name', 'city']}, changes: [{op: 'add', field: 'city', default: 'unknown'}]}))
  t.is(strata(['schema', 'add', 'user', '--file', v1, '--dir', dir]).code, 0)
  t.is(strata(['schema', 'add', 'user', '--file', v2, '--dir', dir]).code, 0)
  const s = await startServe(t, dir)
  const put = await fetch(`${s.url}/kv/u1?schema=user@1`, {method: 'PUT', body: '{"name":"ann"}'})
  t.like(await put.json(), {json: true, schema: 'user@1'})
  await errorOf(t, await fetch(`${s.url}/kv/u2?schema=user@1`, {method: 'PUT', body: '{"nom":"x"}'}), 400, 'SCHEMA_MISMATCH')
  await errorOf(t, await fetch(`${s.url}/kv/u2?schema=user@1`, {method: 'PUT', body: 'not json'}), 400, 'INVALID_ARGUMENT')
  t.is((await fetch(`${s.url}/kv/u2`)).status, 404)
  const upgraded = await fetch(`${s.url}/kv/u1`)
  t.is(upgraded.headers.get('x-strata-schema'), 'user@2')
  t.deepEqual(await upgraded.json(), {name: 'ann', city: 'unknown'})
  t.is((await s.stop()).code, 0)
  t.like(JSON.parse(strata(['get', 'u1', '--dir', dir, '--format', 'json']).stdout).records[0], {schema: 'user@2', value: {name: 'ann', city: 'unknown'}})
})
