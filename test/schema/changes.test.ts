/** The declared changes and their conversions, applied to values. */
import test from 'ava'
import {applyChanges, convertValue} from '../../src/index.js'

test('retype conversions: number and string strictly, integer to number, epoch-ms and ISO dates', (t) => {
  t.deepEqual(convertValue('42', 'integer'), {value: 42})
  t.deepEqual(convertValue('-1.5e3', 'number'), {value: -1500})
  t.deepEqual(convertValue(7, 'number'), {value: 7})
  t.deepEqual(convertValue(1.5, 'string'), {value: '1.5'})
  t.deepEqual(convertValue(true, 'string'), {value: 'true'})
  t.deepEqual(convertValue('false', 'boolean'), {value: false})
  t.deepEqual(convertValue(0, 'iso-date'), {value: '1970-01-01T00:00:00.000Z'})
  t.deepEqual(convertValue('2024-01-31T12:00:00Z', 'epoch-ms'), {value: Date.UTC(2024, 0, 31, 12)})
  t.deepEqual(convertValue('2024-01-31', 'epoch-ms'), {value: Date.UTC(2024, 0, 31)})
  for (const [v, to] of [['4x', 'integer'], [' 42', 'number'], ['1.5', 'integer'], [1.5, 'integer'], ['0x10', 'number'], ['yes', 'boolean'],
    ['31/01/2024', 'epoch-ms'], ['2024-01-31T12:00', 'epoch-ms'], [1.5, 'iso-date'], [null, 'string'], [{}, 'string'], [2 ** 60, 'integer']] as const) {
    const r = convertValue(v, to)
    t.true('fail' in r, `${JSON.stringify(v)} to ${to}`)
  }
})

test('changes apply in order to a copy: add with a dotted default, remove, rename, retype', (t) => {
  const before = {name: 'ann', age: '41', nickname: 'a', addr: {street: 's'}}
  const r = applyChanges(before, [
    {op: 'retype', field: 'age', to: 'integer'},
    {op: 'add', field: 'addr.city', default: 'Oslo'},
    {op: 'add', field: 'geo.lat', default: 0},
    {op: 'add', field: 'name', default: 'never used'},
    {op: 'add', field: 'optional'},
    {op: 'remove', field: 'nickname'},
    {op: 'rename', from: 'addr.street', to: 'street'},
  ])
  t.deepEqual(r, {value: {name: 'ann', age: 41, addr: {city: 'Oslo'}, geo: {lat: 0}, street: 's'}})
  t.deepEqual(before, {name: 'ann', age: '41', nickname: 'a', addr: {street: 's'}})
})

test('a value that does not convert fails naming the field, and nothing is half-converted', (t) => {
  const r = applyChanges({age: 'forty', n: '1'}, [{op: 'retype', field: 'n', to: 'integer'}, {op: 'retype', field: 'age', to: 'integer'}])
  t.true('fail' in r)
  if ('fail' in r) {
    t.is(r.fail.field, 'age')
    t.regex(r.fail.toString(), /"forty"/)
  }
  t.true('fail' in applyChanges('plain string', [{op: 'remove', field: 'x'}]))
})
