import test from 'ava'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {assertError, assertJsonError, ndjson, newStore, strata, tempDir} from './helpers.js'

interface Rec {key: string; keyEncoding: string; value?: unknown; valueEncoding?: string; json: boolean; expiresAt: number | null; shard: number; seq: number}

test('put then get prints just the value for one key', async (t) => {
  const dir = await newStore(t)
  const p = await strata(['put', 'user:1', 'alice', '--dir', dir])
  t.is(p.code, 0, p.stderr)
  t.is(p.stdout, 'OK\n')
  const g = await strata(['get', 'user:1', '--dir', dir])
  t.is(g.code, 0, g.stderr)
  t.is(g.stdout, 'alice\n')
  t.is(g.stderr, '')
})

test('put --format json describes the write', async (t) => {
  const dir = await newStore(t)
  const p = await strata(['put', 'k', 'hello', '--ttl', '1h', '--dir', dir, '--format', 'json'])
  t.is(p.code, 0, p.stderr)
  t.deepEqual(JSON.parse(p.stdout), {key: 'k', keyEncoding: 'utf8', valueBytes: 5, json: false, ttlMs: 3_600_000, schema: null})
})

test('get of several keys prints key<TAB>value lines in argument order', async (t) => {
  const dir = await newStore(t)
  await strata(['put', 'b', '2', '--dir', dir])
  await strata(['put', 'a', '1', '--dir', dir])
  const g = await strata(['get', 'b', 'a', '--dir', dir])
  t.is(g.code, 0, g.stderr)
  t.is(g.stdout, 'b\t2\na\t1\n')
})

test('get --format json and ndjson give records with a stable shape', async (t) => {
  const dir = await newStore(t)
  await strata(['put', 'a', '1', '--dir', dir])
  const j = await strata(['get', 'a', '--dir', dir, '--format', 'json'])
  t.is(j.code, 0, j.stderr)
  const doc = JSON.parse(j.stdout) as {records: Rec[]; missing: unknown[]}
  t.deepEqual(doc.missing, [])
  t.is(doc.records.length, 1)
  const r = doc.records[0]
  t.like(r, {key: 'a', keyEncoding: 'utf8', value: '1', valueEncoding: 'utf8', json: false, expiresAt: null})
  t.true(Number.isInteger(r.shard) && r.shard >= 0 && r.shard < 4)
  t.true(Number.isInteger(r.seq) && r.seq > 0)
  const alias = await strata(['get', 'a', '--dir', dir, '--json'])
  t.deepEqual(JSON.parse(alias.stdout), doc)
  const n = await strata(['get', 'a', '--dir', dir, '--format', 'ndjson'])
  t.deepEqual(ndjson(n.stdout), doc.records)
})

test('get --format table shows a header and the value', async (t) => {
  const dir = await newStore(t)
  await strata(['put', 'a', 'one', '--dir', dir])
  const g = await strata(['get', 'a', '--dir', dir, '--format', 'table'])
  t.is(g.code, 0, g.stderr)
  t.regex(g.stdout, /│ KEY\s+│ VALUE\s+│/)
  t.regex(g.stdout, /│ a\s+│ one\s+│/)
  // eslint-disable-next-line no-control-regex
  t.notRegex(g.stdout, /\u001b\[/, 'no colour when piped')
})

test('get of a missing key exits 1 naming it on stderr', async (t) => {
  const dir = await newStore(t)
  const g = await strata(['get', 'nope', '--dir', dir])
  assertError(t, g, 'NOT_FOUND', 1, /"nope"/)
  t.is(g.stdout, '')
})

test('get prints the found keys and exits 1 when some are missing', async (t) => {
  const dir = await newStore(t)
  await strata(['put', 'a', '1', '--dir', dir])
  const g = await strata(['get', 'a', 'x', 'y', '--dir', dir])
  assertError(t, g, 'NOT_FOUND', 1, /2 keys not found: "x", "y"/)
  t.is(g.stdout, 'a\t1\n')
  const j = await strata(['get', 'a', 'x', '--dir', dir, '--format', 'json'])
  assertJsonError(t, j, 'NOT_FOUND', 1)
  const doc = JSON.parse(j.stdout) as {records: Rec[]; missing: Array<{key: string; keyEncoding: string}>}
  t.deepEqual(doc.records.map((r) => r.key), ['a'])
  t.deepEqual(doc.missing, [{key: 'x', keyEncoding: 'utf8'}])
})

test('put reads the value from stdin with "-" and with no VALUE', async (t) => {
  const dir = await newStore(t)
  const bytes = Buffer.from([0, 1, 2, 10, 13, 255, 254, 92])
  t.is((await strata(['put', 'dash', '-', '--dir', dir], {input: bytes})).code, 0)
  t.is((await strata(['put', 'none', '--dir', dir], {input: bytes})).code, 0)
  for (const key of ['dash', 'none']) {
    const g = await strata(['get', key, '--raw', '--dir', dir])
    t.is(g.code, 0, g.stderr)
    t.deepEqual(g.stdoutBytes, bytes)
  }
})

test('put --file stores the file bytes exactly', async (t) => {
  const dir = await newStore(t)
  const file = join(tempDir(t), 'blob.bin')
  const bytes = Buffer.alloc(300_000)
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) & 0xff
  writeFileSync(file, bytes)
  t.is((await strata(['put', 'blob', '--file', file, '--dir', dir])).code, 0)
  const g = await strata(['get', 'blob', '--raw', '--dir', dir])
  t.deepEqual(g.stdoutBytes, bytes)
})

test('put --json checks the value and get prints it as JSON', async (t) => {
  const dir = await newStore(t)
  const value = '{"user": 1, "tags": ["a", "b"]}'
  t.is((await strata(['put', 's', value, '--json', '--dir', dir])).code, 0)
  const text = await strata(['get', 's', '--dir', dir])
  t.is(text.stdout, `${value}\n`, 'text output is the stored bytes')
  const j = await strata(['get', 's', '--dir', dir, '--format', 'json'])
  const rec = (JSON.parse(j.stdout) as {records: Rec[]}).records[0]
  t.deepEqual(rec.value, {user: 1, tags: ['a', 'b']})
  t.is(rec.valueEncoding, 'json')
  t.true(rec.json)
  const b64 = await strata(['get', 's', '--dir', dir, '--format', 'json', '--value-encoding', 'base64'])
  const raw = (JSON.parse(b64.stdout) as {records: Rec[]}).records[0]
  t.is(raw.valueEncoding, 'base64')
  t.is(Buffer.from(raw.value as string, 'base64').toString(), value)
})

test('put --json refuses a value that is not JSON (exit 2)', async (t) => {
  const dir = await newStore(t)
  assertError(t, await strata(['put', 's', '{oops', '--json', '--dir', dir]), 'INVALID_ARGUMENT', 2, /not valid JSON/)
  assertError(t, await strata(['get', 's', '--dir', dir]), 'NOT_FOUND', 1)
})

test('put --ttl sets an expiry and the key disappears after it', async (t) => {
  const dir = await newStore(t)
  const before = Date.now()
  t.is((await strata(['put', 'short', 'v', '--ttl', '1500ms', '--dir', dir])).code, 0)
  t.is((await strata(['put', 'long', 'v', '--ttl', '2h', '--dir', dir])).code, 0)
  const j = await strata(['get', 'long', '--dir', dir, '--format', 'json'])
  const exp = (JSON.parse(j.stdout) as {records: Rec[]}).records[0].expiresAt
  t.true(exp !== null && exp >= before + 7_200_000 && exp <= Date.now() + 7_200_000)
  const table = await strata(['get', 'long', '--dir', dir, '--format', 'table'])
  t.regex(table.stdout, /TTL/)
  t.regex(table.stdout, /1h 59m|2h/)
  await new Promise((r) => setTimeout(r, 1600))
  assertError(t, await strata(['get', 'short', '--dir', dir]), 'NOT_FOUND', 1)
})

test('text output escapes control bytes and backslashes so a record is one line', async (t) => {
  const dir = await newStore(t)
  await strata(['put', 'k', '-', '--dir', dir], {input: Buffer.from('a\nb\tc\\d\u0001\u007f', 'latin1')})
  const g = await strata(['get', 'k', '--dir', dir])
  t.is(g.stdout, 'a\\nb\\tc\\\\d\\x01\\x7f\n')
})

test('delete removes keys; absent keys are counted and do not fail', async (t) => {
  const dir = await newStore(t)
  await strata(['put', 'a', '1', '--dir', dir])
  await strata(['put', 'b', '2', '--dir', dir])
  const d = await strata(['delete', 'a', 'b', 'zz', '--dir', dir])
  t.is(d.code, 0, d.stderr)
  t.is(d.stdout, 'deleted 2 keys (1 absent)\n')
  assertError(t, await strata(['get', 'a', '--dir', dir]), 'NOT_FOUND', 1)
  const again = await strata(['delete', 'a', '--dir', dir, '--json'])
  t.is(again.code, 0)
  t.deepEqual(JSON.parse(again.stdout), {deleted: 0, absent: 1})
})

test('data persists across processes and overwrites win', async (t) => {
  const dir = await newStore(t)
  await strata(['put', 'k', 'v1', '--dir', dir])
  await strata(['put', 'k', 'v2', '--dir', dir])
  t.is((await strata(['get', 'k', '--dir', dir])).stdout, 'v2\n')
})

test('get --cache-size takes a byte size on the lean path and through oclif, and rejects garbage with exit 2', async (t) => {
  const dir = await newStore(t)
  t.is((await strata(['put', 'k', 'v1', '--dir', dir])).code, 0)
  for (const size of ['0', '65536', '512K', '64MiB', '1g']) {
    const lean = await strata(['get', 'k', '--dir', dir, '--cache-size', size])
    t.is(lean.code, 0, lean.stderr)
    t.is(lean.stdout, 'v1\n')
    // --format table is not on the lean path: oclif parses the flag.
    const viaOclif = await strata(['get', 'k', '--dir', dir, `--cache-size=${size}`, '--format', 'table'])
    t.is(viaOclif.code, 0, viaOclif.stderr)
    t.regex(viaOclif.stdout, /v1/)
  }
  for (const bad of ['-1', 'lots', '1.5M', '8T', '99999999999G']) {
    assertError(t, await strata(['get', 'k', '--dir', dir, '--cache-size', bad]), 'INVALID_ARGUMENT', 2, /--cache-size/)
    assertError(t, await strata(['get', 'k', '--dir', dir, '--cache-size', bad, '--format', 'table']), 'INVALID_ARGUMENT', 2, /--cache-size/)
  }
})
