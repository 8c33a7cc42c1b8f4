/**
 * Usage errors point at the fix: a mistyped command names the closest one,
 * and an argument that starts with "-" (read as a flag) points at "--".
 */
import test from 'ava'
import {assertError, assertJsonError, newStore, strata} from './helpers.js'

test('a mistyped command suggests the closest one, with its arguments', async (t) => {
  const r = await strata(['gett', 'user:1'])
  assertError(t, r, 'USAGE', 2, /unknown command "gett".*did you mean "get"\? \(strata get user:1\)/)
  const alone = await strata(['scna'])
  assertError(t, alone, 'USAGE', 2, /unknown command "scna".*did you mean "scan"/)
  const json = assertJsonError(t, await strata(['delet', 'k', '--format', 'json']), 'USAGE', 2)
  t.regex(json.hint ?? '', /did you mean "delete"/)
  const far = await strata(['zzzzzzzz'])
  assertError(t, far, 'USAGE', 2)
  t.notRegex(far.stderr, /did you mean/)
})

test('a key that starts with "-" gets a hint at "--", and "--" works for put, get and delete', async (t) => {
  const dir = await newStore(t, 2)
  const dash = await strata(['put', '-dash', 'v', '--dir', dir])
  assertError(t, dash, 'USAGE', 2, /hint: .*"--".*strata put -- -dash v/)
  const unknown = await strata(['put', '-xyz', 'v', '--dir', dir])
  assertError(t, unknown, 'USAGE', 2, /hint: .*strata put -- -xyz v/)
  const get = await strata(['get', '-dash', '--dir', dir])
  assertError(t, get, 'USAGE', 2, /hint: .*strata get -- -dash/)
  // Nothing was written by the refused commands.
  assertError(t, await strata(['scan', '--dir', dir]), 'NOT_FOUND', 1)

  t.is((await strata(['put', '--dir', dir, '--', '-dash', '-v'])).code, 0)
  const got = await strata(['get', '--dir', dir, '--', '-dash'])
  t.is(got.stdout, '-v\n', got.stderr)
  const viaOclif = await strata(['get', '--dir', dir, '--format', 'table', '--', '-dash'])
  t.is(viaOclif.code, 0, viaOclif.stderr)
  t.regex(viaOclif.stdout, /-dash/)
  const del = await strata(['delete', '--dir', dir, '--', '-dash'])
  t.is(del.code, 0, del.stderr)
  assertError(t, await strata(['get', '--dir', dir, '--', '-dash']), 'NOT_FOUND', 1)
})

test('a flag value that starts with "-" is not taken for a key', async (t) => {
  const dir = await newStore(t, 1)
  t.is((await strata(['put', 'k', 'v', '--dir', dir])).code, 0)
  // --to "-" is a bound, not a misplaced key: the error is the range's, without a "--" hint.
  const r = await strata(['scan', '--from', 'k', '--to', '-a', '--dir', dir])
  assertError(t, r, 'INVALID_ARGUMENT', 2)
  t.notRegex(r.stderr, /after "--"/)
})
