/**
 * The schema commands, validated writes and the lazy upgrade on read, through
 * the CLI as a real process: the `user` fixture's versions 1 to 4 registered,
 * records written at each version beside plain and unstamped JSON values,
 * and every read command showing them at the latest (or a chosen) version.
 */
import test from 'ava'
import * as path from 'node:path'
import {assertError, ndjson, strata, treeHash} from '../cli/helpers.js'
import {USERS_AT_V4, fixtureStore} from './fixture.js'

const V4 = USERS_AT_V4

test('schema list and show print the registry as table, text and JSON', async (t) => {
  const dir = await fixtureStore(t)
  const list = await strata(['schema', 'list', '--dir', dir, '--format', 'json'])
  t.deepEqual(JSON.parse(list.stdout), {schemas: [{name: 'user', id: 1, latest: 4, compatibility: 'BACKWARD'}]})
  const table = await strata(['schema', 'list', '--dir', dir, '--format', 'table'])
  t.regex(table.stdout, /│ user │\s+1 │\s+4 │ BACKWARD/)
  const show = JSON.parse((await strata(['schema', 'show', '--dir', dir, 'user@2', '--format', 'json'])).stdout)
  t.is(show.versions.length, 1)
  t.deepEqual(show.versions[0].changes, [{op: 'retype', field: 'age', to: 'integer'}])
  const all = await strata(['schema', 'show', '--dir', dir, 'user'])
  t.is(all.code, 0)
  t.regex(all.stdout, /remove nickname/)
  assertError(t, await strata(['schema', 'show', '--dir', dir, 'user@9']), 'NOT_FOUND', 1)
  assertError(t, await strata(['schema', 'show', '--dir', dir, 'nobody']), 'NOT_FOUND', 1)
})

test('schema add refuses an incompatible version with exit 2 naming the field, and writes nothing', async (t) => {
  const dir = await fixtureStore(t)
  const before = treeHash(dir)
  const r = await strata(['schema', 'add', '--dir', dir, 'user', '--file', '-'], {input: JSON.stringify({version: 5, schema: {}, changes: [{op: 'add', field: 'zip'}]})})
  assertError(t, r, 'INVALID_ARGUMENT', 2, /"zip".*BACKWARD/)
  t.deepEqual(treeHash(dir), before)
})

test('an invalid value is refused with exit 2 and the JSON pointer of the failing part; nothing is written', async (t) => {
  const dir = await fixtureStore(t)
  const before = treeHash(dir)
  assertError(t, await strata(['put', '--dir', dir, 'u:9', '{"name":"x","age":"old","city":"c"}', '--schema', 'user']), 'SCHEMA_MISMATCH', 2, /at \/age: must be integer/)
  assertError(t, await strata(['put', '--dir', dir, 'u:9', 'not json', '--schema', 'user']), 'INVALID_ARGUMENT', 2)
  assertError(t, await strata(['put', '--dir', dir, 'u:9', '{}', '--schema', 'user@7']), 'NOT_FOUND', 1)
  const batch = '{"key":"u:8","value":{"name":"ok","age":1,"city":"c"},"valueEncoding":"json","schema":"user@4"}\n{"key":"u:9","value":{"name":"x"},"valueEncoding":"json","schema":"user@4"}\n'
  assertError(t, await strata(['put', '--dir', dir, '--batch', '-'], {input: batch}), 'SCHEMA_MISMATCH', 2, /u:9.*required/)
  t.deepEqual(treeHash(dir), before)
  assertError(t, await strata(['get', '--dir', dir, 'u:8']), 'NOT_FOUND', 1)
})

test('a put --batch line with "schema" is validated and stamped; the line needs a JSON value', async (t) => {
  const dir = await fixtureStore(t)
  const lines = '{"key":"b:1","value":{"name":"x","age":"5"},"valueEncoding":"json","schema":"user@1"}\n{"key":"b:2","value":"{\\"name\\":\\"y\\",\\"age\\":7,\\"city\\":\\"c\\"}","schema":"user"}\n'
  const r = await strata(['put', '--dir', dir, '--batch', '-'], {input: lines})
  t.is(r.code, 0, r.stderr)
  const got = ndjson((await strata(['get', '--dir', dir, 'b:1', 'b:2', '--format', 'ndjson'])).stdout)
  t.deepEqual(got.map((g) => [g.value, g.schema]), [[{name: 'x', age: 5, city: 'unknown'}, 'user@4'], [{name: 'y', age: 7, city: 'c'}, 'user@4']])
  assertError(t, await strata(['put', '--dir', dir, '--batch', '-'], {input: '{"key":"b:3","value":"x","schema":"user","json":false}\n'}), 'INVALID_ARGUMENT', 2)
})

test('get, scan and dump --latest read stamped records at the latest version; unstamped values are untouched', async (t) => {
  const dir = await fixtureStore(t)
  const get = JSON.parse((await strata(['get', '--dir', dir, 'u:1', 'u:2', 'u:3', 'u:4', 'plain', 'doc', '--format', 'json'])).stdout)
  for (const r of get.records) {
    if (r.key === 'plain') t.deepEqual([r.value, r.schema], ['hello', undefined])
    else if (r.key === 'doc') t.deepEqual([r.value, r.schema], [{age: '7'}, undefined])
    else t.deepEqual([r.value, r.schema], [V4[r.key], 'user@4'])
  }
  t.is(get.records.length, 6)
  t.is((await strata(['get', '--dir', dir, 'u:1'])).stdout, '{"name":"ann","age":41,"city":"unknown"}\n')
  const scan = ndjson((await strata(['scan', '--dir', dir, '--prefix', 'u:', '--format', 'ndjson'])).stdout)
  t.deepEqual(Object.fromEntries(scan.map((r) => [r.key, r.value])), V4)
  const dump = ndjson((await strata(['dump', dir, '--latest', '--format', 'ndjson'])).stdout)
  const dumped = Object.fromEntries(dump.filter((r) => String(r.key).startsWith('u:')).map((r) => [r.key, [JSON.parse(String(r.value)), r.schema]]))
  t.deepEqual(dumped, Object.fromEntries(Object.entries(V4).map(([k, v]) => [k, [v, 'user@4']])))
  t.deepEqual(dump.find((r) => r.key === 'plain')?.value, 'hello')
})

test('--raw shows the stored form, --schema-version an intermediate one; explain shows stored and resolved versions', async (t) => {
  const dir = await fixtureStore(t)
  t.is((await strata(['get', '--dir', dir, 'u:1', '--raw'])).stdout, '{"name":"ann","age":"41","nickname":"a"}')
  const raw = ndjson((await strata(['scan', '--dir', dir, '--prefix', 'u:1', '--raw', '--format', 'ndjson'])).stdout)
  t.deepEqual(raw.map((r) => [r.value, r.schema]), [[{name: 'ann', age: '41', nickname: 'a'}, 'user@1']])
  const v3 = JSON.parse((await strata(['get', '--dir', dir, 'u:1', 'u:4', '--schema-version', '3', '--format', 'json'])).stdout)
  t.deepEqual(v3.records.map((r: {value: unknown; schema: string}) => [r.value, r.schema]), [
    [{name: 'ann', age: 41, nickname: 'a', city: 'unknown'}, 'user@3'],
    [{name: 'di', age: 50, city: 'Rome'}, 'user@4'],
  ])
  const dumpRaw = ndjson((await strata(['dump', dir, '--latest', '--raw', '--format', 'ndjson'])).stdout).find((r) => r.key === 'u:2')
  t.deepEqual([JSON.parse(String(dumpRaw?.value)), dumpRaw?.schema], [{name: 'bob', age: 33, nickname: 'b'}, 'user@2'])
  const explain = JSON.parse((await strata(['explain', '--dir', dir, 'u:1', '--format', 'json'])).stdout)
  t.deepEqual(explain.versions[0].schema, {name: 'user', storedVersion: 1, resolvedVersion: 4})
  const text = await strata(['explain', '--dir', dir, 'u:2'])
  t.regex(text.stdout, /schema=user@2 \(read as @4\)/)
  assertError(t, await strata(['get', '--dir', dir, 'u:1', '--schema-version', 'x']), 'INVALID_ARGUMENT', 2)
  t.is(path.basename(dir), 'data')
})

test('a checkpoint carries the registry, so its stamped records read the same', async (t) => {
  const dir = await fixtureStore(t)
  const out = path.join(path.dirname(dir), 'snap')
  t.is((await strata(['checkpoint', '--dir', dir, out])).code, 0)
  const scan = ndjson((await strata(['scan', '--dir', out, '--prefix', 'u:', '--format', 'ndjson'])).stdout)
  t.deepEqual(Object.fromEntries(scan.map((r) => [r.key, r.value])), V4)
  const list = JSON.parse((await strata(['schema', 'list', '--dir', out, '--format', 'json'])).stdout)
  t.deepEqual(list.schemas.map((s: {name: string; latest: number}) => [s.name, s.latest]), [['user', 4]])
})
