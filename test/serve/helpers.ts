/**
 * The server as the tests meet it: `strata serve --listen 127.0.0.1:0` as a
 * real child process, its port read from the "listening on" line it prints
 * on stderr, and small HTTP helpers (Node's fetch, and raw sockets for
 * requests fetch will not send).
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {connect} from 'node:net'
import {join} from 'node:path'
import type {ExecutionContext} from 'ava'
import {cliEnv, runJs, strata} from '../helpers/cli.js'
import {repoRoot, tempDir} from '../helpers/temp.js'

/** A running server. */
export interface TestServer {
  readonly url: string
  readonly port: number
  readonly child: ChildProcess
  /** stderr so far. */
  stderr(): string
  /** Sends `signal` and resolves with the exit code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<{code: number | null; signal: NodeJS.Signals | null}>
}

/** A fresh store in a temp dir of `t`. */
export function newStore(t: ExecutionContext, shards = 4): string {
  const dir = join(tempDir(t), 'data')
  const r = strata(['init', '--dir', dir, '--shards', String(shards)])
  if (r.code !== 0) throw new Error(r.stderr)
  return dir
}

/** Starts `strata serve --dir DIR --listen 127.0.0.1:0 ...args` (with `env` added to its environment); stopped with SIGKILL when `t` ends if still running. */
export async function startServe(t: ExecutionContext, dir: string, args: readonly string[] = [], env: Record<string, string> = {}): Promise<TestServer> {
  const child = spawn(process.execPath, [runJs, 'serve', '--dir', dir, '--listen', '127.0.0.1:0', ...args], {env: cliEnv(env), cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe']})
  let err = ''
  const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null}>((resolve) => child.once('exit', (code, signal) => resolve({code, signal})))
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  const port = await new Promise<number>((resolve, reject) => {
    child.stderr!.on('data', (b: Buffer) => {
      err += b.toString('utf8')
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(err)
      if (m) resolve(Number(m[1]))
    })
    void exited.then(({code}) => reject(new Error(`strata serve exited ${code} before listening: ${err}`)))
  })
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    stderr: () => err,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      child.kill(signal)
      return exited
    },
  }
}

/** Runs `strata serve args` to its end (for refusals at start-up). */
export async function serveOnce(args: readonly string[]): Promise<{code: number | null; stderr: string}> {
  const child = spawn(process.execPath, [runJs, 'serve', ...args], {env: cliEnv(), cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe']})
  let err = ''
  child.stderr.on('data', (b: Buffer) => (err += b.toString('utf8')))
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)))
  return {code, stderr: err}
}

/** The JSON error body of a response, checked for its shape. */
export async function errorOf(t: ExecutionContext, res: Response, status: number, code: string): Promise<Record<string, unknown>> {
  t.is(res.status, status, `status of ${res.url}`)
  t.regex(res.headers.get('content-type') ?? '', /^application\/json/)
  const body = (await res.json()) as {error: Record<string, unknown>}
  t.is(body.error.code, code, JSON.stringify(body))
  t.is(body.error.status, status)
  t.is(typeof body.error.message, 'string')
  t.true('hint' in body.error)
  return body.error
}

/** NDJSON lines of a response body, parsed. */
export async function ndjson(res: Response): Promise<Array<Record<string, unknown>>> {
  const text = await res.text()
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>)
}

/** Sends `raw` bytes on a new connection and resolves with everything the server sent back before closing. */
export function rawRequest(port: number, raw: string | Buffer, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(raw))
    let got = ''
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`no close within ${timeoutMs} ms; got ${JSON.stringify(got)}`))
    }, timeoutMs)
    socket.on('data', (b) => (got += b.toString('latin1')))
    socket.on('error', () => {})
    socket.on('close', () => {
      clearTimeout(timer)
      resolve(got)
    })
  })
}
