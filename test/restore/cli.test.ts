/**
 * `strata restore` and `strata replicate` through the real CLI: choosing a
 * cut (newest, by id, by time), --list and --dry-run, progress on stderr,
 * and the bad input both refuse with one line and the right exit code.
 */
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {strata} from '../helpers/cli.js'
import {tempDir} from '../helpers/temp.js'
import {buildStore, digestOf, errorCodeOf, expectExit, putSome} from '../replicate/helpers.js'

test('cuts are chosen by id or time; --list and --dry-run write nothing; progress goes to stderr', async (t) => {
  t.timeout(120_000)
  const root = tempDir(t)
  const dir = path.join(root, 'db')
  const replica = path.join(root, 'replica')
  t.deepEqual(JSON.parse(expectExit(strata(['restore', replica, '--list', '--format', 'json']), 0, 'empty list').stdout), [])
  await buildStore(dir, 2)
  const c1 = JSON.parse(expectExit(strata(['replicate', '--dir', dir, replica, '--format', 'json', '--progress']), 0, 'first').stdout).cuts[0]
  const d1 = await digestOf(dir)
  await new Promise((r) => setTimeout(r, 20))
  await putSome(dir, ['later'])
  const r2 = expectExit(strata(['replicate', '--dir', dir, replica, '--progress']), 0, 'second')
  t.regex(r2.stderr, /replicate: \d+\/\d+ objects/)
  const list = JSON.parse(expectExit(strata(['restore', replica, '--list', '--format', 'json']), 0, 'list').stdout)
  t.is(list.length, 2)
  t.deepEqual(Object.keys(list[0]).sort(), ['bytes', 'digest', 'id', 'objects', 'records', 'shards', 'takenAt', 'time'])

  const dry = JSON.parse(expectExit(strata(['restore', replica, '--dir', path.join(root, 'dry'), '--dry-run', '--format', 'json']), 0, 'dry run').stdout)
  t.is(dry.cut, list[1].id)
  t.true(dry.dryRun)
  t.is(dry.bytes, list[1].bytes)
  t.false(fs.existsSync(path.join(root, 'dry')))

  const byTime = path.join(root, 'by-time')
  const r = expectExit(strata(['restore', replica, '--dir', byTime, '--time', new Date(c1.takenAt).toISOString(), '--progress', '--format', 'json']), 0, 'by time')
  t.is(JSON.parse(r.stdout).cut, c1.id)
  t.regex(r.stderr, /restore: \d+\/\d+ objects/)
  t.is(await digestOf(byTime), d1)
  const early = strata(['restore', replica, '--dir', path.join(root, 'early'), '--time', new Date(c1.takenAt - 1).toISOString(), '--format', 'json'])
  t.is(early.code, 1, early.stderr)
  t.is(errorCodeOf(early), 'NOT_FOUND')
})

test('bad input is refused with one line and exit 2 (1 for what is not there)', async (t) => {
  t.timeout(120_000)
  const root = tempDir(t)
  const dir = path.join(root, 'db')
  const replica = path.join(root, 'replica')
  const empty = strata(['restore', replica, '--dir', path.join(root, 'o'), '--format', 'json'])
  t.is(empty.code, 1, empty.stderr)
  t.is(errorCodeOf(empty), 'NOT_FOUND')
  const notStore = strata(['replicate', '--dir', dir, replica, '--format', 'json'])
  t.is(notStore.code, 2)
  t.is(errorCodeOf(notStore), 'NOT_A_STORE')
  t.false(fs.existsSync(replica), 'nothing is created for a missing store')
  await buildStore(dir, 1)
  expectExit(strata(['replicate', '--dir', dir, replica]), 0, 'replicate')
  const busyOut = path.join(root, 'busy')
  fs.mkdirSync(busyOut)
  fs.writeFileSync(path.join(busyOut, 'notes.txt'), 'mine')
  const cases: [string[], number][] = [
    [['restore', replica, '--dir', busyOut], 2],
    [['restore', replica, '--dir', dir], 2],
    [['restore', replica, '--dir', path.join(root, 'o1'), '--cut', 'abc'], 2],
    [['restore', replica, '--dir', path.join(root, 'o2'), '--cut', '000000000009'], 1],
    [['restore', replica, '--dir', path.join(root, 'o3'), '--verify', 'most'], 2],
    [['restore', replica, '--list', '--cut', '000000000001'], 2],
    [['restore', replica, '--dir', path.join(root, 'o4'), '--time', 'yesterday'], 2],
    [['replicate', '--dir', dir, replica, '--interval', '1s'], 2],
    [['replicate', '--dir', dir, replica, '--keep', '0'], 2],
    [['replicate', '--dir', dir, replica, '--keep', '2', '--retain', '1h'], 2],
    [['replicate', '--dir', dir, replica, '--retain', 'forever'], 2],
    [['replicate', '--dir', dir, 'ftp://host/replica'], 2],
  ]
  for (const [args, code] of cases) {
    const r = strata([...args, '--format', 'json'])
    t.is(r.code, code, `${args.join(' ')}: ${r.stderr}`)
    t.is(r.stderr.trim().split('\n').length, 1, `${args.join(' ')}: one line`)
    t.truthy(errorCodeOf(r), args.join(' '))
  }
  t.deepEqual(fs.readdirSync(busyOut), ['notes.txt'])
  t.deepEqual(['o1', 'o2', 'o3', 'o4'].filter((o) => fs.existsSync(path.join(root, o))), [])
})
