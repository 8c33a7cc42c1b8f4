/**
 * `get` has two argument parsers (oclif's, and the lean start-up path that
 * does not load oclif); both follow the one flag table in
 * src/cli/fast-get/get-flags.ts. These checks fail when the oclif command
 * gains, loses or changes a flag the table does not describe.
 */
import test from 'ava'
import Get from '../../commands/get.js'
import {GET_FLAGS, type PlainFlag} from '../../src/cli/index.js'

interface OclifFlag {
  readonly type: 'boolean' | 'option'
  readonly char?: string
  readonly default?: unknown
  readonly env?: string
  readonly options?: readonly string[]
  readonly summary?: string
}

const oclifFlags = {...Get.baseFlags, ...Get.flags} as unknown as Record<string, OclifFlag>
const table = GET_FLAGS as Record<string, PlainFlag>

test('the oclif get command has exactly the flags of the table', (t) => {
  t.deepEqual(Object.keys(oclifFlags).sort(), Object.keys(table).sort())
  t.true(Object.keys(table).length >= 7)
})

test('each flag has the same kind, short name, default, environment variable and values', (t) => {
  let checked = 0
  for (const [name, plain] of Object.entries(table)) {
    const f = oclifFlags[name]
    t.is(f.type === 'option', plain.takesValue, name)
    t.is(f.char, plain.char, name)
    t.is(f.default, plain.default, name)
    t.is(f.env, plain.env, name)
    if (plain.options !== undefined) t.deepEqual([...(f.options ?? [])], [...plain.options], name)
    if (plain.summary !== undefined) t.is(f.summary, plain.summary, name)
    checked++
  }
  t.is(checked, Object.keys(table).length)
})
