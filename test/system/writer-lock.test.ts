/**
 * The writer lock between real processes: it holds across network
 * namespaces (a flock on DIR/LOCK, not an abstract socket), the kernel
 * releases it when its holder is killed, and BUSY names the holder. Both
 * ways of running flock(1) (Node's spawn binding, and node:child_process
 * where that binding is not offered) take and exclude alike.
 */
import test from 'ava'
import {spawn, spawnSync, type ChildProcessWithoutNullStreams} from 'node:child_process'
import * as path from 'node:path'
import {pathToFileURL} from 'node:url'
import {isFileLockHeld} from '../../src/store/file-lock.js'
import {nodeFileSystem} from '../../src/vfs/node-fs.js'
import {tempDir, repoRoot} from '../helpers/temp.js'
import {cliEnv, runJs, strata, strataAsync} from '../helpers/cli.js'

const index = pathToFileURL(path.join(repoRoot, 'dist', 'src', 'index.js')).href

/** A process that opens `dir` as its writer, says "ready", and holds the lock until stdin ends. */
async function holder(dir: string): Promise<ChildProcessWithoutNullStreams> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', `
    const {open} = await import(${JSON.stringify(index)})
    const s = await open(${JSON.stringify(dir)}, {})
    process.stdout.write('ready\\n')
    process.stdin.resume()
    process.stdin.on('end', async () => { await s.close(); process.exit(0) })
  `], {stdio: ['pipe', 'pipe', 'pipe']})
  await new Promise<void>((resolve, reject) => {
    let err = ''
    child.stderr.on('data', (d) => (err += d))
    child.stdout.once('data', () => resolve())
    child.once('exit', (code) => reject(new Error(`lock holder exited with ${code}: ${err}`)))
  })
  return child
}

function newStore(): string {
  const dir = path.join(tempDir(), 'db')
  const r = strata(['init', '--dir', dir, '--shards', '2'])
  if (r.code !== 0) throw new Error(r.stderr)
  return dir
}

function exited(child: ChildProcessWithoutNullStreams): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())))
}

test('a writer in another network namespace is BUSY (exit 4) while a writer holds the lock', async (t) => {
  // Must run: this is the case an abstract-socket lock got wrong. No unshare means a failure, not a skip.
  const probe = spawnSync('unshare', ['-n', 'true'], {encoding: 'utf8'})
  t.is(probe.status, 0, `unshare -n must work here (run as root with util-linux): ${probe.error?.message ?? probe.stderr}`)
  if (probe.status !== 0) return
  const dir = newStore()
  const h = await holder(dir)
  t.teardown(() => h.kill('SIGKILL'))
  const r = spawnSync('unshare', ['-n', process.execPath, runJs, 'put', 'k', 'lost', '--dir', dir, '--lock-timeout', '300ms'], {env: cliEnv(), encoding: 'utf8'})
  t.is(r.status, 4, `stderr: ${r.stderr}`)
  t.regex(r.stderr, /^strata: error BUSY: /)
  t.regex(r.stderr, new RegExp(`held by pid ${h.pid}\\b`))
  h.stdin.end()
  await exited(h)
  const g = strata(['get', 'k', '--dir', dir])
  t.is(g.code, 1, 'the refused write is not in the store')
})

test('BUSY names the holder\'s pid; the holder killed with SIGKILL leaves no lock behind', async (t) => {
  const dir = newStore()
  const h = await holder(dir)
  t.teardown(() => h.kill('SIGKILL'))
  t.true(isFileLockHeld(nodeFileSystem, path.join(dir, 'LOCK')))
  const busy = strata(['put', 'k', 'v', '--dir', dir, '--lock-timeout', '0', '--format', 'json'])
  t.is(busy.code, 4)
  const err = (JSON.parse(busy.stderr) as {error: {code: string; message: string}}).error
  t.is(err.code, 'BUSY')
  t.regex(err.message, new RegExp(`held by pid ${h.pid}\\b`))
  h.kill('SIGKILL')
  await exited(h)
  t.false(isFileLockHeld(nodeFileSystem, path.join(dir, 'LOCK')), 'the kernel released the lock of the killed holder')
  const r = strata(['put', 'k', 'v', '--dir', dir, '--lock-timeout', '0'])
  t.is(r.code, 0, r.stderr)
  t.is(strata(['get', 'k', '--dir', dir]).stdout, 'v\n')
})

test('a waiting writer gets the lock as soon as the holder exits, within --lock-timeout', async (t) => {
  const dir = newStore()
  const h = await holder(dir)
  t.teardown(() => h.kill('SIGKILL'))
  setTimeout(() => h.kill('SIGKILL'), 300)
  const started = Date.now()
  const r = await strataAsync(['put', 'k', 'v', '--dir', dir, '--lock-timeout', '20s'])
  t.is(r.code, 0, r.stderr)
  t.true(h.signalCode === 'SIGKILL', 'the holder was killed while the writer waited')
  t.true(Date.now() - started < 15_000)
})

test('writers racing to open the same store: exactly one holds the lock at a time', async (t) => {
  const dir = newStore()
  const n = 3
  const runs = await Promise.all(Array.from({length: n}, (_, i) => strataAsync(['put', `k${i}`, 'v', '--dir', dir, '--lock-timeout', '0'])))
  const codes = runs.map((r) => r.code)
  t.is(codes.filter((c) => c === 0).length + codes.filter((c) => c === 4).length, n, `exit codes ${codes.join(',')}`)
  t.true(codes.includes(0), 'at least one writer got the lock')
  const written = runs.map((r, i) => (r.code === 0 ? i : -1)).filter((i) => i >= 0)
  for (const i of written) t.is(strata(['get', `k${i}`, '--dir', dir]).stdout, 'v\n')
  for (const r of runs) if (r.code === 4) t.regex(r.stderr, /^strata: error BUSY: /)
})

/** Runs `code` (an ES module body with `flock` and `fileLock` imported) in a fresh node; its stdout lines. */
function inNode(code: string, nodeArgs: string[] = []): string[] {
  const dist = (p: string): string => JSON.stringify(pathToFileURL(path.join(repoRoot, 'dist', 'src', p)).href)
  const r = spawnSync(process.execPath, [...nodeArgs, '--input-type=module', '-e', `
    const flock = await import(${dist('vfs/flock.js')})
    const fileLock = await import(${dist('store/file-lock.js')})
    const {nodeFileSystem} = await import(${dist('vfs/node-fs.js')})
    ${code}
  `], {encoding: 'utf8', env: cliEnv()})
  if (r.status !== 0) throw new Error(`node exited ${r.status}: ${r.stderr}`)
  return r.stdout.trim().split('\n')
}

for (const way of ['binding', 'child_process'] as const) {
  test(`flock(1) run through ${way}: the lock is taken, excludes another process, and is released`, (t) => {
    const file = path.join(tempDir(), 'LOCK')
    const force = way === 'child_process' ? `flock.flockSpawner('child_process')` : ''
    const lines = inNode(`
      ${force}
      const held = flock.tryFlock(${JSON.stringify(file)})
      console.log(flock.flockSpawner(), held !== undefined)
      const {spawnSync} = await import('node:child_process')
      const other = () => spawnSync(process.execPath, ['--input-type=module', '-e',
        'const m = await import(' + JSON.stringify(${JSON.stringify(pathToFileURL(path.join(repoRoot, 'dist', 'src', 'vfs', 'flock.js')).href)}) + '); const l = m.tryFlock(' + JSON.stringify(${JSON.stringify(file)}) + '); console.log(l === undefined ? "busy" : "took")'], {encoding: 'utf8'}).stdout.trim()
      console.log(other())
      held.release()
      console.log(other())
      console.log(fileLock.isFileLockHeld(nodeFileSystem, ${JSON.stringify(file)}))
    `)
    t.deepEqual(lines, [`${way} true`, 'busy', 'took', 'false'])
  })
}

test('under --pending-deprecation the lock is taken through node:child_process and no warning is printed', (t) => {
  const dir = newStore()
  const lines = inNode(`console.log(flock.flockSpawner())`, ['--pending-deprecation'])
  t.deepEqual(lines, ['child_process'])
  const r = strata(['put', 'k', 'v', '--dir', dir], {env: {NODE_OPTIONS: '--pending-deprecation'}})
  t.is(r.code, 0, r.stderr)
  t.is(r.stderr, '')
  t.is(strata(['get', 'k', '--dir', dir]).stdout, 'v\n')
})
