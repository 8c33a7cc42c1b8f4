/**
 * The text-editing upgrade against the parsing one: for generated record
 * texts (canonical or not, with repeated keys, index keys, escapes, nested
 * values) and generated change lists, whenever the text path answers, its
 * answer is byte for byte the parsing path's (the upgraded text, or the same
 * failure).
 */
import test from 'ava'
import fc from 'fast-check'
import {compileChanges} from '../../src/schema/compile.js'
import {compileTextChanges} from '../../src/schema/text-upgrade.js'
import {topLevelMembers} from '../../src/schema/json-members.js'
import {RETYPE_TARGETS, type SchemaChange} from '../../src/schema/format.js'

/** Member names: mostly ones the text path handles, sometimes ones it must refuse (index keys, "__proto__", a dotted path). */
const field = fc.oneof(
  {weight: 12, arbitrary: fc.constantFrom('name', 'age', 'city', 'nick', 'é', 'q"t', 'a\\b')},
  {weight: 1, arbitrary: fc.constantFrom('0', '7', '__proto__', 'a.b')},
)

/** Value texts: canonical ones from JSON.stringify, and ones stringify never writes. */
const valueText = fc.oneof(
  {weight: 6, arbitrary: fc.jsonValue({maxDepth: 2}).map((v) => JSON.stringify(v))},
  {weight: 1, arbitrary: fc.constantFrom('"é"', '"日本"', '"😀"', '"\u2028"', '"zBAD"')},
  // Strings of digits (a retype to integer or number edits the plainest in place): with a leading zero, at and past 15 digits, past 2^53.
  {weight: 1, arbitrary: fc.constantFrom('"0"', '"00"', '"007"', '"5"', '"123456789012345"', '"1234567890123456"', '"9007199254740993"', '"-0"', '""')},
  {weight: 2, arbitrary: fc.constantFrom('"41"', '"-7"', '"1.5"', '"true"', '1700000000000', '"2024-01-31T12:00:00Z"', '"x"', '12', '-3.25', 'true', 'null')},
  {weight: 1, arbitrary: fc.constantFrom('1.0', '1e2', '-0', '01', ' 1', '"\\u0041"', '"\\/"', '{"a":1,"a":2}', '{"1":0,"b":1}', '[1, 2]', '123456789012345678901', '"\\n"', '{"__proto__":1}')},
)

const docText = fc.oneof(
  {weight: 8, arbitrary: fc.array(fc.tuple(field, valueText), {maxLength: 6}).map((ms) => `{${ms.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`)},
  {weight: 1, arbitrary: fc.constantFrom('[]', '"s"', '3', 'null', '{', '{}', ' {}', '{"a":1} ', '{"a":1}}', '{"a" :1}', 'not json')},
)

const change: fc.Arbitrary<SchemaChange> = fc.oneof(
  fc.record({op: fc.constant('add' as const), field, default: fc.jsonValue({maxDepth: 2})}),
  fc.record({op: fc.constant('add' as const), field}),
  fc.record({op: fc.constant('remove' as const), field}),
  fc.tuple(field, field).filter(([a, b]) => a !== b).map(([from, to]) => ({op: 'rename' as const, from, to})),
  fc.record({op: fc.constant('retype' as const), field, to: fc.constantFrom(...RETYPE_TARGETS)}),
)

/** Record bytes: the text as UTF-8, sometimes with "BAD" turned into bytes that are not UTF-8. */
const docBytes = fc.tuple(docText, fc.boolean()).map(([text, bad]) => {
  const b = Buffer.from(text, 'utf8')
  const at = b.indexOf('BAD')
  if (bad && at >= 0) b[at] = 0xff
  return b
})

/** What the parsing path makes of `bytes`: the upgraded JSON text, the failure, or 'not JSON'. */
function parsingPath(bytes: Buffer, changes: readonly SchemaChange[]): string {
  let value: unknown
  try {
    value = JSON.parse(bytes.toString('utf8'))
  } catch {
    return 'not JSON'
  }
  const r = compileChanges(changes)(value)
  return 'fail' in r ? `fail: ${r.fail.toString()}` : JSON.stringify(r.value)
}

test('the text path gives byte for byte what parsing, changing and stringifying gives, whenever it answers', (t) => {
  let answered = 0
  let runs = 0
  fc.assert(
    fc.property(docBytes, fc.array(change, {minLength: 1, maxLength: 5}), (bytes, changes) => {
      runs++
      const r = compileTextChanges(changes)?.(bytes)
      if (r === undefined) return true
      answered++
      const slow = parsingPath(bytes, changes)
      // Results compare as bytes: the parsing path's text is what the store would get as UTF-8.
      return 'fail' in r ? `fail: ${r.fail.toString()}` === slow : r.bytes.equals(Buffer.from(slow, 'utf8'))
    }),
    {numRuns: 20_000},
  )
  t.is(runs, 20_000)
  // The text path must actually be taken for a good share of the cases, or the property proves little.
  t.true(answered > runs / 5, `the text path answered ${answered} of ${runs}`)
})

test('texts that stringify would not write, or whose object would not keep text order, are refused', (t) => {
  for (const text of ['{"a":1,"a":2}', '{"b":1,"0":2}', '{"a": 1}', '{"a":1.0}', '{"a":"\\u0041"}', '{"a":"\\/"}', '{"a":-0}', '{"a":{"x":1,"x":1}}', '[1]', '{"a":1}x']) {
    t.is(topLevelMembers(text), undefined, text)
  }
  const text = '{"a":{"b":[1,"x\\n"]},"c":-1.5e-7}'
  t.deepEqual(topLevelMembers(text), {text, keys: ['"a"', '"c"'], starts: [5, 25], ends: [20, 32], values: [null, null]})
})

test('change lists with a dotted, index or __proto__ field are left to the parsing path', (t) => {
  t.is(compileTextChanges([{op: 'add', field: 'a.b', default: 1}]), undefined)
  t.is(compileTextChanges([{op: 'remove', field: '0'}]), undefined)
  t.is(compileTextChanges([{op: 'rename', from: 'x', to: '__proto__'}]), undefined)
  const up = compileTextChanges([{op: 'retype', field: 'age', to: 'integer'}, {op: 'add', field: 'city', default: 'unknown'}, {op: 'remove', field: 'nickname'}])
  const text = (b: Buffer): string | undefined => {
    const r = up?.(b)
    return r !== undefined && 'bytes' in r ? r.bytes.toString('utf8') : undefined
  }
  t.is(text(Buffer.from('{"name":"ann","age":"41","nickname":"a"}')), '{"name":"ann","age":41,"city":"unknown"}')
  t.is(text(Buffer.from('{"name":"Åsa","age":"7"}')), '{"name":"Åsa","age":7,"city":"unknown"}')
})
