import test from 'ava'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {tmpdir} from 'node:os'
import {assertError, assertJsonError, strata, tempDir, treeHash} from './helpers.js'

/** Every command with the arguments it needs besides --dir. */
const COMMANDS: ReadonlyArray<readonly string[]> = [
  ['init'], ['get', 'k'], ['put', 'k', 'v'], ['delete', 'k'], ['scan'], ['stats'], ['compact'], ['verify'],
  ['dump'], ['explain', 'k'], ['repair'], ['bench', '--keys', '10'], ['digest'], ['shard-rebalance', '--shards', '2'], ['schema', 'list'],
  ['migrate-schema', '--schema', 'x', '--to-version', '2'],
  // OUT in a folder that does not exist: the --dir check must refuse before anything is created.
  ['checkpoint', join(tmpdir(), 'strata-no-such-folder', 'out')],
  ['replicate', join(tmpdir(), 'strata-no-such-folder', 'replica')],
  ['restore', join(tmpdir(), 'strata-no-such-folder', 'replica')],
]

test('the command list covers every command', async (t) => {
  const r = await strata(['--help'])
  const listed = [...r.stdout.matchAll(/^ {2}(\w[\w-]*)\s/gm)].map((m) => m[1]).sort()
  t.deepEqual(COMMANDS.map((c) => c[0]).sort(), listed)
})

test('a file given as --dir is exit 2, "not a directory", and no init hint, for every command', async (t) => {
  const base = tempDir(t)
  const file = join(base, 'hostname')
  writeFileSync(file, 'not a store\n')
  const before = treeHash(base)
  let checked = 0
  for (const args of COMMANDS) {
    for (const dir of [file, join(file, 'below')]) {
      const r = await strata([...args, '--dir', dir])
      assertError(t, r, 'INVALID_ARGUMENT', 2, /is not a directory/)
      t.notRegex(r.stderr, /strata init/, `${args[0]}: no init hint for a file`)
      checked++
    }
  }
  t.is(checked, COMMANDS.length * 2)
  const json = assertJsonError(t, await strata(['init', '--dir', file, '--format', 'json']), 'INVALID_ARGUMENT', 2)
  t.regex(json.message, /is not a directory/)
  t.deepEqual(treeHash(base), before, 'nothing was written')
})

test('an empty --dir is exit 2, "--dir is empty", for every command', async (t) => {
  let checked = 0
  for (const args of COMMANDS) {
    assertError(t, await strata([...args, '--dir', '']), 'INVALID_ARGUMENT', 2, /--dir is empty/)
    assertError(t, await strata([...args, '--dir=']), 'INVALID_ARGUMENT', 2, /--dir is empty/)
    checked++
  }
  t.is(checked, COMMANDS.length)
})

test('NOT_A_STORE hints at init only where init can create the store', async (t) => {
  const base = tempDir(t)
  assertError(t, await strata(['get', 'k', '--dir', join(base, 'new')]), 'NOT_A_STORE', 2, /hint: create one with: strata init --dir/)
  writeFileSync(join(base, 'notes.txt'), 'mine')
  const r = await strata(['stats', '--dir', base])
  assertError(t, r, 'NOT_A_STORE', 2)
  t.notRegex(r.stderr, /strata init --dir/, 'init refuses a non-empty directory, so it is not suggested')
})
