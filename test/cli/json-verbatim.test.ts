/**
 * Values stored with --json come out of get/scan JSON output as the stored
 * text, never parsed and re-serialised, and `scan --format ndjson | put
 * --batch` copies them exactly.
 */
import test from 'ava'
import {join} from 'node:path'
import {RawJson, stringifyJson} from '../../src/cli/index.js'
import {memberText} from '../../src/codec/json-raw.js'
import {strata, tempDir} from './helpers.js'

/** JSON texts that JSON.parse + JSON.stringify would change. */
const TEXTS = ['12345678901234567890', '1e400', '{"a":1,"a":2}', '-0', '[1.0, 2.50]', '"\\u00e9"', '{"n":-0.0e0,"big":[12345678901234567890123]}']

test('get and scan JSON/NDJSON output hold the stored JSON text verbatim, and a scan | put --batch copy is exact', async (t) => {
  const base = tempDir(t)
  const dir = join(base, 'd')
  const copy = join(base, 'copy')
  t.is((await strata(['init', '--dir', dir])).code, 0)
  t.is((await strata(['init', '--dir', copy])).code, 0)
  for (const [i, text] of TEXTS.entries()) t.is((await strata(['put', `k${i}`, text, '--json', '--dir', dir])).code, 0, text)
  const keys = TEXTS.map((_, i) => `k${i}`)

  const outputs = [
    (await strata(['get', ...keys, '--format', 'json', '--dir', dir])).stdout, // lean path
    (await strata(['get', ...keys, '--format', 'ndjson', '--dir', dir])).stdout,
    (await strata(['get', ...keys, '--json', '--cache-size', '0', '--dir', dir])).stdout,
    (await strata(['scan', '--format', 'json', '--dir', dir])).stdout,
    (await strata(['scan', '--format', 'ndjson', '--dir', dir])).stdout,
  ]
  for (const out of outputs) {
    for (const text of TEXTS) t.true(out.includes(`"value":${text},"valueEncoding":"json"`), `${text} verbatim in ${out}`)
  }

  const ndjson = outputs[4]
  t.is(ndjson.trim().split('\n').length, TEXTS.length)
  const load = await strata(['put', '--batch', '-', '--dir', copy], {input: ndjson})
  t.is(load.code, 0, load.stderr)
  for (const [i, text] of TEXTS.entries()) {
    const r = await strata(['get', `k${i}`, '--raw', '--dir', copy])
    t.is(r.stdout, text, `k${i} copied exactly`)
  }
})

test('a stored JSON text with line breaks stays one NDJSON line', async (t) => {
  const dir = join(tempDir(t), 'd')
  t.is((await strata(['init', '--dir', dir])).code, 0)
  t.is((await strata(['put', 'k', '{\n  "a": 12345678901234567890\r\n}', '--json', '--dir', dir])).code, 0)
  const r = await strata(['scan', '--format', 'ndjson', '--dir', dir])
  t.is(r.stdout.split('\n').length, 2)
  t.true(r.stdout.includes('"value":{  "a": 12345678901234567890}'))
})

test('stringifyJson splices raw JSON text; memberText finds the last member as JSON.parse does', (t) => {
  const raw = RawJson.fromBytes(Buffer.from('[1e400,-0]'))
  t.truthy(raw)
  t.is(RawJson.fromBytes(Buffer.from('{not json')), undefined)
  t.is(RawJson.fromBytes(Buffer.from([0xff])), undefined)
  t.is(stringifyJson({a: raw, b: ['x', raw], c: '\u0000'}), '{"a":[1e400,-0],"b":["x",[1e400,-0]],"c":"\\u0000"}')
  t.is(stringifyJson({a: raw}, 2), '{\n  "a": [1e400,-0]\n}')
  t.is(memberText('{"value":1,"x":{"value":"}"},"value" : [1e400, {"a":"\\"]"}] }', 'value'), '[1e400, {"a":"\\"]"}]')
  t.is(memberText('{"key":"k","v\\u0061lue":12345678901234567890}', 'value'), '12345678901234567890')
  t.is(memberText('{"key":"k"}', 'value'), undefined)
})
