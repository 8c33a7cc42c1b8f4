/**
 * `strata replicate --follow` as a real child process while this process
 * writes (opening the store for each write, so the replicator takes its
 * cuts between writes): it ships cut after cut, and on SIGTERM ships a last
 * cut holding every write acknowledged before the signal, then exits 0.
 */
import test from 'ava'
import * as path from 'node:path'
import {spawn} from 'node:child_process'
import {createStore, open, restore} from '../../src/index.js'
import {cliEnv, runJs} from '../helpers/cli.js'
import {tempDir} from '../helpers/temp.js'

test('--follow ships cuts while a writer works; after SIGTERM the last cut holds every acknowledged write', async (t) => {
  t.timeout(180_000)
  const root = tempDir(t)
  const dir = path.join(root, 'db')
  const replica = path.join(root, 'replica')
  await createStore(dir, {shards: 2})
  const child = spawn(process.execPath, [runJs, 'replicate', '--dir', dir, replica, '--follow', '--interval', '300ms', '--format', 'ndjson'], {env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe']})
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()))
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const cuts = (): {id: string; records: number}[] => stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l))

  let acked = 0
  let stop = false
  const writer = (async () => {
    for (let i = 0; !stop; i++) {
      const s = await open(dir, {lockTimeoutMs: 30_000})
      await s.put(`w-${String(i).padStart(5, '0')}`, `value ${i}`)
      await s.close()
      acked = i + 1
    }
  })()
  while ((cuts().length < 3 || acked < 20) && child.exitCode === null) await new Promise((r) => setTimeout(r, 50))
  const ackedBeforeSignal = acked
  child.kill('SIGTERM')
  const code = await exited
  stop = true
  await writer
  t.is(code, 0, stderr)
  const shipped = cuts()
  t.true(shipped.length >= 4, `${shipped.length} cuts shipped`)
  const last = shipped.at(-1)!
  t.true(last.records >= ackedBeforeSignal, `the last cut holds ${last.records} records, ${ackedBeforeSignal} were acknowledged before the signal`)
  const out = path.join(root, 'out')
  const r = await restore(replica, out)
  t.is(r.cut, last.id)
  const s = await open(out, {readOnly: true})
  let missing = 0
  for (let i = 0; i < ackedBeforeSignal; i++) if ((await s.get(`w-${String(i).padStart(5, '0')}`)) === undefined) missing++
  await s.close()
  t.is(missing, 0, `every one of the ${ackedBeforeSignal} writes acknowledged before the signal is in the last cut`)
})
