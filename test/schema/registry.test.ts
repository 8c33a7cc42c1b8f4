/**
 * The registry as a library: registration of the `user` fixture, the
 * checks of a registration, each compatibility mode's refusals, damage
 * found by its checksum, and a crashed registration's leftover ignored.
 */
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {SchemaView, createStore, open, readRegistry, registerSchema, StrataError} from '../../src/index.js'
import {repoRoot, tempDir} from '../helpers/temp.js'
import {decodeSchemaFile} from '../../src/schema/format.js'
import {USER_V1, USER_V2, USER_V3, USER_V4, USER_VERSIONS} from './fixture.js'

async function store(t: Parameters<typeof tempDir>[0]): Promise<string> {
  const dir = path.join(tempDir(t), 'data')
  await createStore(dir, {shards: 2})
  return dir
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p
    return 'no error'
  } catch (err) {
    return err instanceof StrataError ? err.code : `foreign: ${String(err)}`
  }
}

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (err) {
    if (err instanceof StrataError && err.code === 'INVALID_ARGUMENT') return err.message
    throw err
  }
  throw new Error('the registration was accepted')
}

test('the user fixture registers as versions 1 to 4 of one id, and reads back as written', async (t) => {
  const dir = await store(t)
  for (const doc of USER_VERSIONS) {
    const r = await registerSchema(dir, 'user', doc)
    t.deepEqual([r.version, r.id, r.created], [doc.version, 1, true])
  }
  const other = await registerSchema(dir, 'order', {version: 1, schema: {type: 'object'}})
  t.is(other.id, 2)
  const reg = readRegistry(dir)
  t.deepEqual(reg.list().map((e) => [e.name, e.id, e.versions.length, e.compatibility]), [['order', 2, 1, 'BACKWARD'], ['user', 1, 4, 'BACKWARD']])
  t.deepEqual(reg.resolve('user', 2).changes, USER_V2.changes)
  t.deepEqual(reg.resolve('user').schema, USER_V4.schema)
  t.is(reg.resolve('user', 2).compatibility, 'NONE')
  t.deepEqual(fs.readdirSync(path.join(dir, 'schemas')).sort(), ['order.000001.schema', 'user.000001.schema', 'user.000002.schema', 'user.000003.schema', 'user.000004.schema'])
})

test('the same version again is accepted without writing; a different one, a gap or a bad document is refused', async (t) => {
  const dir = await store(t)
  await registerSchema(dir, 'user', USER_V1)
  t.false((await registerSchema(dir, 'user', USER_V1)).created)
  t.is(await code(registerSchema(dir, 'user', {...USER_V1, schema: {type: 'object'}})), 'INVALID_ARGUMENT')
  t.is(await code(registerSchema(dir, 'user', USER_V3)), 'INVALID_ARGUMENT')
  t.is(await code(registerSchema(dir, 'user', {version: 2, schema: {type: 'nonsense-type'}, compatibility: 'NONE'})), 'INVALID_ARGUMENT')
  t.is(await code(registerSchema(dir, 'user', {version: 2, schema: {}, changes: [{op: 'explode', field: 'x'}]})), 'INVALID_ARGUMENT')
  t.is(await code(registerSchema(dir, 'bad name', USER_V1)), 'INVALID_ARGUMENT')
  t.is(await code(registerSchema(dir, 'order', {version: 1, schema: {}, changes: [{op: 'remove', field: 'x'}]})), 'INVALID_ARGUMENT')
  t.is(readRegistry(dir).resolve('user').version, 1)
})

test('BACKWARD refuses a field added without a default, naming the field', async (t) => {
  const dir = await store(t)
  await registerSchema(dir, 'user', USER_V1)
  const msg = await refusal(registerSchema(dir, 'user', {version: 2, schema: USER_V1.schema, changes: [{op: 'add', field: 'city'}]}))
  t.regex(msg, /"city"/)
  t.regex(msg, /BACKWARD/)
  // A partial conversion (string to integer fails on "abc") is refused too; a total one is not.
  t.regex(await refusal(registerSchema(dir, 'user', {version: 2, schema: USER_V2.schema, changes: USER_V2.changes})), /"age"/)
  t.true((await registerSchema(dir, 'user', {version: 2, schema: USER_V1.schema, changes: [{op: 'add', field: 'city', default: 'x'}, {op: 'retype', field: 'name', to: 'string'}]})).created)
})

test('BACKWARD_TRANSITIVE judges every step since version 1; BACKWARD only the last', async (t) => {
  const dir = await store(t)
  for (const doc of [USER_V1, USER_V2, USER_V3]) await registerSchema(dir, 'user', doc)
  const msg = await refusal(registerSchema(dir, 'user', {...USER_V4, compatibility: 'BACKWARD_TRANSITIVE'}))
  t.regex(msg, /"age"/)
  t.regex(msg, /BACKWARD_TRANSITIVE/)
  t.true((await registerSchema(dir, 'user', {...USER_V4, compatibility: 'BACKWARD'})).created)
})

test('FORWARD refuses removing a required field and any retype; FORWARD_TRANSITIVE also a field an older version required', async (t) => {
  const dir = await store(t)
  await registerSchema(dir, 'user', {...USER_V1, compatibility: 'FORWARD'})
  t.regex(await refusal(registerSchema(dir, 'user', {version: 2, schema: {}, changes: [{op: 'remove', field: 'age'}]})), /"age".*FORWARD/)
  t.regex(await refusal(registerSchema(dir, 'user', {version: 2, schema: {}, changes: [{op: 'rename', from: 'name', to: 'fullName'}]})), /"name"/)
  t.regex(await refusal(registerSchema(dir, 'user', {version: 2, schema: {}, changes: [{op: 'retype', field: 'nickname', to: 'integer'}]})), /"nickname"/)
  // Version 2 stops requiring age (no change declared); removing it at 3 passes FORWARD, not FORWARD_TRANSITIVE.
  await registerSchema(dir, 'user', {version: 2, schema: {...USER_V1.schema, required: ['name']}, changes: [{op: 'add', field: 'city'}]})
  const v3 = {version: 3, schema: {}, changes: [{op: 'remove', field: 'age'}]}
  t.regex(await refusal(registerSchema(dir, 'user', {...v3, compatibility: 'FORWARD_TRANSITIVE'})), /"age".*version 1 requires it/)
  t.true((await registerSchema(dir, 'user', v3)).created)
})

test('FULL refuses what either direction refuses; FULL_TRANSITIVE over every step; NONE accepts anything', async (t) => {
  const dir = await store(t)
  await registerSchema(dir, 'user', {...USER_V1, compatibility: 'FULL'})
  // integer-wise total for readers of the new version, but old readers cannot read it.
  t.regex(await refusal(registerSchema(dir, 'user', {version: 2, schema: {}, changes: [{op: 'retype', field: 'age', to: 'string'}]})), /"age".*FORWARD/)
  t.regex(await refusal(registerSchema(dir, 'user', {version: 2, schema: {}, changes: [{op: 'add', field: 'city'}]})), /"city".*BACKWARD/)
  await registerSchema(dir, 'user', {version: 2, schema: USER_V1.schema, changes: [{op: 'add', field: 'city', default: 'x'}, {op: 'remove', field: 'nickname'}]})
  await registerSchema(dir, 'user', {version: 3, compatibility: 'NONE', schema: {}, changes: [{op: 'add', field: 'zip'}]})
  t.regex(await refusal(registerSchema(dir, 'user', {version: 4, compatibility: 'FULL_TRANSITIVE', schema: {}, changes: [{op: 'add', field: 'y', default: 1}]})), /"zip"/)
  t.true((await registerSchema(dir, 'user', {version: 4, compatibility: 'NONE', schema: {}, changes: [{op: 'remove', field: 'name'}, {op: 'add', field: 'q'}]})).created)
})

test('a flipped byte in a version file is CORRUPTION naming it; a crashed registration\'s .tmp is ignored and cleaned', async (t) => {
  const dir = await store(t)
  await registerSchema(dir, 'user', USER_V1)
  const file = path.join(dir, 'schemas', 'user.000001.schema')
  fs.writeFileSync(path.join(dir, 'schemas', 'user.000002.schema.tmp'), 'half a fi')
  t.is(readRegistry(dir).resolve('user').version, 1)
  await registerSchema(dir, 'user', USER_V2)
  t.false(fs.existsSync(path.join(dir, 'schemas', 'user.000002.schema.tmp')))
  const bytes = fs.readFileSync(file)
  bytes[20] ^= 0x01
  fs.writeFileSync(file, bytes)
  const err = t.throws(() => readRegistry(dir), {instanceOf: StrataError})
  t.is(err?.code, 'CORRUPTION')
  t.regex(err?.message ?? '', /user\.000001\.schema/)
})

test('the version file example in formats/README.md decodes, its checksum holding', (t) => {
  const text = fs.readFileSync(path.join(repoRoot, 'formats', 'README.md'), 'utf8')
  const lines = text.split('\n')
  const at = lines.findIndex((l) => l.startsWith('{"format":1,"name":"user"'))
  t.true(at > 0)
  const d = decodeSchemaFile(Buffer.from(`${lines[at]}\n${lines[at + 1]}\n`, 'utf8'))
  t.false('problem' in d, JSON.stringify(d))
  if ('object' in d) t.like(d.object, {format: 1, name: 'user', id: 1, version: 2, compatibility: 'NONE'})
})

test('library writes: put and batch with a schema validate and stamp; an invalid value writes nothing of the call', async (t) => {
  const dir = await store(t)
  for (const doc of [USER_V1, USER_V2, USER_V3, USER_V4]) await registerSchema(dir, 'user', doc)
  const s = await open(dir)
  try {
    await s.put('a', '{"name":"ann","age":"41","nickname":"x"}', {schema: 'user@1'})
    t.is(await code(s.batch([{type: 'put', key: 'b', value: '{"name":"bob","age":2,"city":"c"}', schema: 'user'}, {type: 'put', key: 'c', value: '{"name":"cy"}', schema: 'user'}])), 'SCHEMA_MISMATCH')
    t.is(await code(s.put('d', 'not json', {schema: 'user'})), 'SCHEMA_MISMATCH')
    t.is(await code(s.put('d', '{}', {schema: 'nobody'})), 'NOT_FOUND')
    t.is(s.getSync('b'), undefined)
    const a = s.getSync('a')!
    t.deepEqual([a.schema, a.json], [{id: 1, version: 1}, true])
    const up = new SchemaView(dir).upgrade(a)
    t.deepEqual([JSON.parse(up.value.toString()), up.schema], [{name: 'ann', age: 41, city: 'unknown'}, {id: 1, version: 4}])
    t.deepEqual(new SchemaView(dir).upgrade(a, 2).schema, {id: 1, version: 2})
  } finally {
    await s.close()
  }
})
