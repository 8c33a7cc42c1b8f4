/**
 * --ready-file: the server writes its URL once it listens with its signal
 * handlers in place, so a SIGTERM sent the moment the file appears is always
 * a clean shutdown (exit 0, lock released); a file that cannot be written
 * stops the server with exit 5 and leaves the store free for the next writer.
 */
import test from 'ava'
import {spawn} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {cliEnv, runJs, strata} from '../helpers/cli.js'
import {repoRoot, tempDir} from '../helpers/temp.js'
import {newStore, serveOnce} from './helpers.js'

async function waitForFile(file: string, exited: () => boolean): Promise<string> {
  for (;;) {
    if (existsSync(file)) return readFileSync(file, 'utf8')
    if (exited()) throw new Error('strata serve exited before writing its ready file')
    await sleep(20)
  }
}

test('a SIGTERM sent as soon as the ready file appears stops the server cleanly, every time', async (t) => {
  const dir = newStore(t)
  const ready = join(tempDir(t), 'ready')
  const rounds = 5
  let clean = 0
  for (let i = 0; i < rounds; i++) {
    const child = spawn(process.execPath, [runJs, 'serve', '--dir', dir, '--listen', '127.0.0.1:0', '--ready-file', ready], {env: cliEnv(), cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe']})
    let err = ''
    child.stderr.on('data', (b: Buffer) => (err += b.toString('utf8')))
    let done = false
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => {
      done = true
      resolve(code)
    }))
    t.teardown(() => {
      if (!done) child.kill('SIGKILL')
    })
    const url = (await waitForFile(ready, () => done)).trim()
    const port = /^http:\/\/127\.0\.0\.1:(\d+)$/.exec(url)?.[1]
    t.truthy(port, url)
    t.is((await fetch(`${url}/healthz`)).status, 200)
    child.kill('SIGTERM')
    t.is(await exit, 0, err)
    t.true(err.includes(`listening on ${url}`), err)
    clean++
    t.is(strata(['put', '--dir', dir, `k${i}`, 'v']).code, 0, 'the lock is free after the clean stop')
    await import('node:fs').then((fs) => fs.rmSync(ready))
  }
  t.is(clean, rounds)
})

test('a ready file that cannot be written is exit 5, and the store is left free', async (t) => {
  const dir = newStore(t)
  const r = await serveOnce(['--dir', dir, '--listen', '127.0.0.1:0', '--ready-file', join(tempDir(t), 'missing', 'ready')])
  t.is(r.code, 5, r.stderr)
  t.regex(r.stderr, /IO/)
  t.is(strata(['put', '--dir', dir, 'k', 'v']).code, 0)
})
