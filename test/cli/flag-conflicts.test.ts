/**
 * A flag that would be silently ignored in combination with another is a
 * usage error (exit 2, code USAGE), on the lean get path and oclif's alike,
 * and nothing runs.
 */
import test from 'ava'
import {join} from 'node:path'
import {strata, tempDir} from './helpers.js'

test('flag combinations where one flag would be ignored are usage errors', async (t) => {
  const dir = join(tempDir(t), 'd')
  t.is((await strata(['init', '--dir', dir])).code, 0)
  t.is((await strata(['put', 'k', 'v', '--dir', dir])).code, 0)
  const refused = [
    ['get', 'k', '--raw', '--format', 'json'],
    ['get', 'k', '--raw', '--format', 'text'],
    ['get', 'k', '--raw', '--json'],
    ['get', 'k', '--raw', '--value-encoding', 'hex'],
    ['scan', '--keys-only', '--value-encoding', 'hex'],
    ['compact', '--key-encoding', 'hex'],
    ['compact', '--dry-run', '--lock-timeout', '1s'],
    ['dump', '--max-bytes', '4'],
  ]
  for (const args of refused) {
    const r = await strata([...args, '--dir', dir])
    t.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`)
    t.is(r.stdout, '', args.join(' '))
    t.regex(r.stderr, /error USAGE: |"code":"USAGE"/, args.join(' '))
  }
  const json = await strata(['get', 'k', '--raw', '--format', 'json', '--dir', dir])
  t.is((JSON.parse(json.stderr) as {error: {code: string}}).error.code, 'USAGE', 'the error is JSON under --format json')
  // The same flags alone, or with what they need, still work.
  const allowed = [
    ['get', 'k', '--raw', '--key-encoding', 'utf8'],
    ['scan', '--keys-only'],
    ['compact', '--key-encoding', 'hex', '--from', '6b'],
    ['compact', '--dry-run'],
    ['dump', '--hex', '--max-bytes', '4', join(dir, 'STORE')],
  ]
  for (const args of allowed) {
    const r = await strata([...args, '--dir', dir])
    t.is(r.code, 0, `${args.join(' ')}: ${r.stderr}`)
  }
})
