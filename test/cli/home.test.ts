import test from 'ava'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {newStore, strata, tempDir} from './helpers.js'

// Running as root, permission bits do not make HOME unreadable; a HOME that is a
// file fails the same lookups (ENOTDIR instead of EACCES) and printed the same warning.
test('a HOME that cannot be read does not make commands warn', async (t) => {
  const dir = await newStore(t, 1)
  const home = join(tempDir(t), 'home-is-a-file')
  writeFileSync(home, '')
  const env = {HOME: home, XDG_DATA_HOME: join(home, 'data'), XDG_CONFIG_HOME: join(home, 'config'), XDG_CACHE_HOME: join(home, 'cache')}
  let checked = 0
  for (const args of [['put', 'k', 'v'], ['stats'], ['scan'], ['get', 'k', '--format', 'table'], ['init', '--help']]) {
    const r = await strata([...args, '--dir', dir], {env})
    t.is(r.code, 0, `${args.join(' ')}: ${r.stderr}`)
    t.is(r.stderr, '', `${args.join(' ')} prints nothing on stderr`)
    checked++
  }
  t.is(checked, 5)
})
