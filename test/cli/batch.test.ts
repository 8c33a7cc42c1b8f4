import test from 'ava'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {assertError, ndjson, newStore, strata, tempDir} from './helpers.js'

const lines = (...objs: unknown[]): string => objs.map((o) => (typeof o === 'string' ? o : JSON.stringify(o))).join('\n') + '\n'

test('put --batch applies puts, deletes, ttl and hex/base64 lines and prints counts', async (t) => {
  const dir = await newStore(t)
  await strata(['put', 'gone', 'x', '--dir', dir])
  const input = lines(
    {key: 'a', value: '1'},
    '',
    {key: 'b', value: '2', ttl: '1h'},
    {key: 'c', value: '3', ttl: 60_000},
    {key: '00ff', value: '0a0b', encoding: 'hex'},
    {key: 'AAE=', value: 'AgM=', encoding: 'base64'},
    {key: 'mixed', value: 'ff', valueEncoding: 'hex'},
    {key: 'gone', delete: true},
    {key: 'j', value: {x: 1}, valueEncoding: 'json'},
    {key: 'old', value: 'x', expiresAt: 1000},
  )
  const r = await strata(['put', '--batch', '-', '--dir', dir, '--format', 'json'], {input})
  t.is(r.code, 0, r.stderr)
  t.deepEqual(JSON.parse(r.stdout), {puts: 7, deletes: 2, expired: 1, lines: 10, chunks: 1})
  const text = await strata(['put', '--batch', '-', '--dir', dir], {input: lines({key: 'z', value: '9'})})
  t.is(text.stdout, 'applied 1 put, 0 deletes from 1 line in 1 chunk\n')

  const g = await strata(['get', 'a', 'b', 'c', 'mixed', 'j', '--dir', dir, '--format', 'json', '--value-encoding', 'hex'])
  t.is(g.code, 0, g.stderr)
  const recs = (JSON.parse(g.stdout) as {records: Array<{key: string; value: string; expiresAt: number | null; json: boolean}>}).records
  t.deepEqual(recs.map((r) => r.value), ['31', '32', '33', 'ff', Buffer.from('{"x":1}').toString('hex')])
  t.true(recs[1].expiresAt! > Date.now() + 3_500_000)
  t.true(recs[2].expiresAt! > Date.now() && recs[2].expiresAt! <= Date.now() + 60_000)
  t.true(recs[4].json)
  t.deepEqual((await strata(['get', '00ff', '--key-encoding', 'hex', '--raw', '--dir', dir])).stdoutBytes, Buffer.from([10, 11]))
  t.deepEqual((await strata(['get', '0001', '--key-encoding', 'hex', '--raw', '--dir', dir])).stdoutBytes, Buffer.from([2, 3]))
  assertError(t, await strata(['get', 'gone', '--dir', dir]), 'NOT_FOUND', 1)
  assertError(t, await strata(['get', 'old', '--dir', dir]), 'NOT_FOUND', 1)
})

test('put --batch reads a file and applies it in chunks of --batch-size', async (t) => {
  const dir = await newStore(t, 8)
  const file = join(tempDir(t), 'load.ndjson')
  const objs = Array.from({length: 2500}, (_, i) => ({key: `k${String(i).padStart(5, '0')}`, value: `v${i}`}))
  writeFileSync(file, lines(...objs))
  const r = await strata(['put', '--batch', file, '--batch-size', '1000', '--dir', dir, '--format', 'json'])
  t.is(r.code, 0, r.stderr)
  t.deepEqual(JSON.parse(r.stdout), {puts: 2500, deletes: 0, expired: 0, lines: 2500, chunks: 3})
  const s = await strata(['scan', '--dir', dir, '--keys-only'])
  t.is(s.stdout.split('\n').filter(Boolean).length, 2500)
})

test('a bad line stops put --batch with its line number: earlier chunks applied, its chunk not', async (t) => {
  const dir = await newStore(t)
  const input = lines(
    {key: 'a', value: '1'},
    {key: 'b', value: '2'},
    {key: 'c', value: '3'},
    {key: 'd', vaule: '4'},
    {key: 'e', value: '5'},
  )
  const r = await strata(['put', '--batch', '-', '--batch-size', '2', '--dir', dir], {input})
  assertError(t, r, 'INVALID_ARGUMENT', 2, /line 4: unknown field "vaule"/)
  t.is(r.stdout, '')
  const g = await strata(['get', 'a', 'b', 'c', 'd', 'e', '--dir', dir])
  t.is(g.stdout, 'a\t1\nb\t2\n', 'the chunk before the bad line is present')
  t.regex(g.stderr, /"c", "d", "e"/, 'the bad line\'s chunk and everything after are absent')
})

for (const [name, line, pattern] of [
  ['invalid JSON', '{"key": "x", ', /line 2: not valid JSON/],
  ['not an object', '["x"]', /line 2: expected a JSON object/],
  ['missing key', '{"value": "x"}', /line 2: missing "key"/],
  ['empty key', '{"key": "", "value": "x"}', /line 2: key is empty/],
  ['bad hex', '{"key": "zz", "value": "x", "encoding": "hex"}', /line 2: key is not valid hex/],
  ['bad base64', '{"key": "k", "value": "a=b=", "valueEncoding": "base64"}', /line 2: value is not valid base64/],
  ['bad ttl', '{"key": "k", "value": "x", "ttl": "soon"}', /line 2: "ttl" "soon" is not a duration/],
  ['zero ttl', '{"key": "k", "value": "x", "ttl": 0}', /line 2: "ttl" 0/],
  ['json that is not JSON', '{"key": "k", "value": "{", "json": true}', /line 2: value .* not valid JSON/],
  ['delete with a value', '{"key": "k", "delete": true, "value": "x"}', /line 2: a delete line cannot have "value"/],
  ['unknown encoding', '{"key": "k", "value": "x", "encoding": "rot13"}', /line 2: "encoding" must be one of/],
] as const) {
  test(`put --batch rejects a line with ${name} (exit 2) and writes nothing of its chunk`, async (t) => {
    const dir = await newStore(t)
    const r = await strata(['put', '--batch', '-', '--dir', dir], {input: `{"key":"first","value":"1"}\n${line}\n`})
    assertError(t, r, 'INVALID_ARGUMENT', 2, pattern)
    assertError(t, await strata(['get', 'first', '--dir', dir]), 'NOT_FOUND', 1)
  })
}

test('put --batch errors are JSON with --format json', async (t) => {
  const dir = await newStore(t)
  const r = await strata(['put', '--batch', '-', '--dir', dir, '--format', 'json'], {input: '{"key":1}\n'})
  t.is(r.code, 2)
  const doc = JSON.parse(r.stderr) as {error: {code: string; message: string; hint: string; exitCode: number}}
  t.like(doc.error, {code: 'INVALID_ARGUMENT', exitCode: 2})
  t.regex(doc.error.message, /^line 1: /)
  t.regex(doc.error.hint, /nothing was written/)
})

test('put --batch cannot be combined with KEY, --ttl or --json (exit 2)', async (t) => {
  const dir = await newStore(t)
  assertError(t, await strata(['put', 'k', '--batch', '-', '--dir', dir]), 'USAGE', 2, /--batch cannot be combined with KEY/)
  assertError(t, await strata(['put', '--batch', '-', '--ttl', '1s', '--dir', dir]), 'USAGE', 2, /--ttl/)
})

test('put --batch of a missing file fails before opening the store (exit 2)', async (t) => {
  const dir = await newStore(t)
  assertError(t, await strata(['put', '--batch', join(dir, 'nope.ndjson'), '--dir', dir]), 'INVALID_ARGUMENT', 2, /nope\.ndjson/)
})

test('put --batch accepts CRLF line endings and a last line without newline', async (t) => {
  const dir = await newStore(t)
  const r = await strata(['put', '--batch', '-', '--dir', dir, '--format', 'json'], {input: '{"key":"a","value":"1"}\r\n{"key":"b","value":"2"}'})
  t.is(r.code, 0, r.stderr)
  t.like(JSON.parse(r.stdout), {puts: 2, lines: 2})
  t.deepEqual(ndjson(( await strata(['scan', '--dir', dir, '--format', 'ndjson'])).stdout).map((r) => r.value), ['1', '2'])
})
