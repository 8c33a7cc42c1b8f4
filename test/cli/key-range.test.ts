/**
 * One rule for key ranges: every command taking --from/--to refuses a range
 * whose --from is not below its --to, with INVALID_ARGUMENT and exit 2, and
 * the same message, before it touches the store.
 */
import test from 'ava'
import {createStore, open, ErrorCode, StrataError} from '../../src/index.js'
import {assertError, assertJsonError, newStore, strata, tempDir, treeHash} from './helpers.js'
import {join} from 'node:path'

test('scan and compact refuse --from above or equal to --to alike: exit 2, one message', async (t) => {
  const dir = await newStore(t, 2)
  t.is((await strata(['put', 'm', 'v', '--dir', dir])).code, 0)
  const before = treeHash(dir)
  const messages = new Set<string>()
  for (const command of ['scan', 'compact']) {
    for (const [from, to] of [['z', 'a'], ['m', 'm']]) {
      const r = await strata([command, '--from', from, '--to', to, '--dir', dir])
      assertError(t, r, 'INVALID_ARGUMENT', 2)
      messages.add(r.stderr.replace(command, 'CMD'))
      const json = assertJsonError(t, await strata([command, '--from', from, '--to', to, '--dir', dir, '--format', 'json']), 'INVALID_ARGUMENT', 2)
      t.regex(json.message, /--from .* --to .*empty/)
    }
  }
  t.is(messages.size, 2, [...messages].join('')) // one message per range, the same for both commands
  t.deepEqual(treeHash(dir), before)
  // Bounds in order still work; a prefix outside the range is "nothing matched", not a usage error.
  t.is((await strata(['scan', '--from', 'a', '--to', 'z', '--dir', dir])).code, 0)
  assertError(t, await strata(['scan', '--from', 'a', '--to', 'c', '--prefix', 'm', '--dir', dir]), 'NOT_FOUND', 1)
})

test('the library applies the same rule to scan and compact', async (t) => {
  const dir = join(tempDir(t), 'db')
  await createStore(dir, {shards: 1})
  const s = await open(dir)
  await s.put('m', 'v')
  const e1 = t.throws(() => [...s.scanSync({from: 'z', to: 'a'})])
  const e2 = await t.throwsAsync(async () => {
    for await (const _ of s.scan({from: 'z', to: 'a'})) void _
  })
  const e3 = await t.throwsAsync(() => s.compact({from: 'z', to: 'a'}))
  for (const e of [e1, e2, e3]) t.is((e as StrataError).code, ErrorCode.INVALID_ARGUMENT)
  t.is(e1?.message, e3?.message)
  t.deepEqual([...s.scanSync({from: 'a', to: 'z'})].map((kv) => kv.key.toString()), ['m'])
  await s.close()
})
