/**
 * Wording of output that people read: magic numbers are shown in hex with
 * their text (never as decimal lists), and an uncompressed store says so.
 */
import test from 'ava'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {strata, tempDir} from './helpers.js'

test('a damaged magic number is named in hex in verify (text and JSON) and dump', async (t) => {
  const dir = join(tempDir(t), 'd')
  t.is((await strata(['init', '--dir', dir, '--shards', '1'])).code, 0)
  const store = join(dir, 'STORE')
  const bytes = readFileSync(store)
  bytes.write('XX', 0, 'latin1')
  writeFileSync(store, bytes)
  const outputs = [
    await strata(['verify', '--dir', dir]),
    await strata(['verify', '--dir', dir, '--format', 'json']),
    await strata(['dump', store]),
  ]
  for (const r of outputs) {
    t.is(r.code, 3, r.stderr)
    const all = r.stdout + r.stderr
    t.true(all.includes('0x5354524154414453'), `expected magic in hex: ${all}`)
    t.true(all.includes('0x5858524154414453'), `found magic in hex: ${all}`)
    t.notRegex(all, /\[83,84,/)
  }
})

test('an uncompressed store is described as "uncompressed", not "none compression"', async (t) => {
  const dir = join(tempDir(t), 'd')
  const init = await strata(['init', '--dir', dir, '--compression', 'none'])
  t.is(init.code, 0)
  t.regex(init.stdout, /\(4 shards, uncompressed\)/)
  const stats = await strata(['stats', '--dir', dir])
  t.regex(stats.stdout, /, uncompressed\n/)
  t.notRegex(init.stdout + stats.stdout, /none compression/)
  t.is(JSON.parse((await strata(['stats', '--dir', dir, '--json'])).stdout).compression, 'none', 'JSON keeps the option value')
})
