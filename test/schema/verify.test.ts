/**
 * verify's schema checks through the CLI: a flipped byte in a registry file
 * is exit 3 naming the file; a stamped record that does not validate against
 * its version is exit 3 naming its key; --quick skips the records.
 */
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {open, registerSchema} from '../../src/index.js'
import {StoreImpl} from '../../src/store/store.js'
import {strata} from '../cli/helpers.js'
import {fixtureStore, USER_V1} from './fixture.js'

interface Finding {check: string; file: string; message: string; keyRange?: {first: string}}

async function verify(dir: string, ...flags: string[]): Promise<{code: number | null; findings: Finding[]; checks: Array<{id: string; skipped: boolean}>}> {
  const r = await strata(['verify', '--dir', dir, '--format', 'json', ...flags])
  const doc = JSON.parse(r.stdout) as {findings: Finding[]; checks: Array<{id: string; skipped: boolean}>}
  return {code: r.code, findings: doc.findings, checks: doc.checks}
}

test('a flipped byte in a schema file is a schema.registry error naming the file, exit 3', async (t) => {
  const dir = await fixtureStore(t)
  t.is((await verify(dir)).code, 0)
  const file = path.join(dir, 'schemas', 'user.000003.schema')
  const bytes = fs.readFileSync(file)
  bytes[40] ^= 0x20
  fs.writeFileSync(file, bytes)
  const r = await verify(dir)
  t.is(r.code, 3)
  t.deepEqual(r.findings.map((f) => [f.check, f.file]), [['schema.registry', 'schemas/user.000003.schema']])
})

test('a stamped record that does not validate against its version is a schema.records error naming its key, exit 3', async (t) => {
  const dir = await fixtureStore(t)
  // Written past the validation of put (the internal stamped batch), as a damaged or foreign writer would.
  const s = await open(dir)
  await (s as StoreImpl).batchStamped([{type: 'put', key: 'u:bad', value: '{"name":5}'}], new Map([[0, {id: 1, version: 1}]]))
  await (s as StoreImpl).batchStamped([{type: 'put', key: 'u:ghost', value: '{}'}], new Map([[0, {id: 9, version: 1}]]))
  await s.close()
  const r = await verify(dir)
  t.is(r.code, 3)
  t.deepEqual(r.findings.map((f) => [f.check, f.keyRange?.first]).sort(), [['schema.records', 'u:bad'], ['schema.records', 'u:ghost']])
  const quick = await verify(dir, '--quick')
  t.is(quick.code, 0)
  t.true(quick.checks.find((c) => c.id === 'schema.records')?.skipped)
  // A store whose registry holds no such schema at all: same finding kind.
  await registerSchema(dir, 'other', USER_V1)
  t.is((await verify(dir)).findings.length, 2)
})
