/**
 * Output that cannot be written is a failure (IO, exit 5, one line on
 * stderr); a reader that goes away (EPIPE) ends the command quietly; a slow
 * reader gets all of the output. Real child processes with stdout on
 * /dev/full, a size-limited file, a pipe closed early, and a slow pipe.
 */
import test, {type ExecutionContext} from 'ava'
import {spawn} from 'node:child_process'
import {openSync, closeSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {BIN, ROOT, strata, tempDir} from './helpers.js'

function childEnv(): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'STRATA_DIR' && k !== 'NODE_OPTIONS') env[k] = v
  return {...env, CI: 'true', NO_COLOR: '1', OCLIF_SKIP_NEW_VERSION_CHECK: 'true'}
}

/** Runs strata with stdout on the file `path` (opened for writing); returns exit status and stderr. */
function runToFile(args: readonly string[], path: string, shellPrefix = ''): Promise<{code: number | null; stderr: string}> {
  return new Promise((resolve, reject) => {
    const fd = openSync(path, 'w')
    const argv = shellPrefix === ''
      ? [process.execPath, [BIN, ...args]] as const
      : ['/bin/sh', ['-c', `${shellPrefix}; exec "$0" "$@"`, process.execPath, BIN, ...args]] as const
    const child = spawn(argv[0], [...argv[1]], {env: childEnv(), cwd: ROOT, stdio: ['ignore', fd, 'pipe']})
    closeSync(fd)
    let stderr = ''
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.on('error', reject)
    child.on('close', (status) => resolve({code: status, stderr}))
  })
}

/** A store with a few keys, one JSON value, and `bulk` more keys of 100 bytes. */
async function makeStore(t: ExecutionContext, bulk = 0): Promise<string> {
  const dir = join(tempDir(t), 'd')
  t.is((await strata(['init', '--dir', dir, '--shards', '2'])).code, 0)
  const lines = [`{"key":"k","value":"v"}`, `{"key":"j","value":"{\\"a\\":1}","json":true}`]
  for (let i = 0; i < bulk; i++) lines.push(JSON.stringify({key: `bulk:${String(i).padStart(8, '0')}`, value: 'x'.repeat(100)}))
  t.is((await strata(['put', '--batch', '-', '--dir', dir], {input: `${lines.join('\n')}\n`})).code, 0)
  return dir
}

/** Asserts one IO error line (text or JSON) and exit 5. */
function assertIoFailure(t: ExecutionContext, r: {code: number | null; stderr: string}, json: boolean, what: string): void {
  t.is(r.code, 5, `${what}: exit status (stderr: ${r.stderr})`)
  const lines = r.stderr.split('\n').filter((l) => l !== '')
  t.is(lines.length, 1, `${what}: exactly one line on stderr: ${r.stderr}`)
  if (json) t.is((JSON.parse(lines[0]) as {error: {code: string}}).error.code, 'IO', what)
  else t.regex(lines[0], /^strata: error IO: /, what)
}

test('every command that prints fails with IO (exit 5) when stdout is /dev/full', async (t) => {
  const dir = await makeStore(t)
  const cases: Array<{args: string[]; json?: boolean}> = [
    {args: ['get', 'k']}, // lean path
    {args: ['get', 'k', '--raw']}, // lean path, raw bytes
    {args: ['get', 'k', 'j', '--format', 'json'], json: true}, // lean path, JSON error
    {args: ['get', 'k', '--format', 'table']}, // oclif path
    {args: ['scan']},
    {args: ['scan', '--format', 'json'], json: true},
    {args: ['scan', '--format', 'ndjson'], json: true},
    {args: ['dump']},
    {args: ['dump', '--records']},
    {args: ['dump', '--hex']},
    {args: ['dump', '--layout', '--format', 'json'], json: true},
    {args: ['stats']},
    {args: ['verify', '--format', 'json'], json: true},
    {args: ['verify']},
    {args: ['explain', 'k']},
    {args: ['put', 'k2', 'v2']},
    {args: ['delete', 'k2']},
    {args: ['compact']},
  ]
  for (const c of cases) assertIoFailure(t, await runToFile([...c.args, '--dir', dir], '/dev/full'), c.json === true, c.args.join(' '))
  const init = await runToFile(['init', '--dir', join(dir, '..', 'fresh')], '/dev/full')
  assertIoFailure(t, init, false, 'init')
  // What oclif itself prints (help) follows the same rule.
  assertIoFailure(t, await runToFile(['scan', '--help'], '/dev/full'), false, 'scan --help')
})

test('a value cut short by a file size limit is an IO failure, not a silent short write', async (t) => {
  const dir = await makeStore(t)
  const big = Buffer.alloc(4 * 1024 * 1024, 0x61)
  const valueFile = join(tempDir(t), 'big.bin')
  writeFileSync(valueFile, big)
  t.is((await strata(['put', 'big', '--file', valueFile, '--dir', dir])).code, 0)
  const target = join(tempDir(t), 'out.bin')
  // 1 MiB file size limit; SIGXFSZ ignored so the write returns short / EFBIG instead of killing the process.
  const r = await runToFile(['get', 'big', '--raw', '--dir', dir], target, "trap '' XFSZ; ulimit -f 1024")
  assertIoFailure(t, r, false, 'get --raw')
  t.true(statSync(target).size < big.length)
  // The same value fits without the limit: proof the limit is what failed.
  const ok = await runToFile(['get', 'big', '--raw', '--dir', dir], target)
  t.is(ok.code, 0)
  t.true(readFileSync(target).equals(big))
})

/** Spawns strata with stdout a pipe; `onChunk` sees each chunk and may destroy the pipe. */
function runPiped(args: readonly string[], onChunk: (chunk: Buffer, stdout: NodeJS.ReadableStream & {destroy(): void; pause(): void; resume(): void}) => void): Promise<{code: number | null; signal: NodeJS.Signals | null; stderr: string}> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {env: childEnv(), cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe']})
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.stdout.on('data', (chunk: Buffer) => onChunk(chunk, child.stdout))
    child.on('error', reject)
    child.on('close', (status, signal) => resolve({code: status, signal, stderr}))
  })
}

test('a reader that closes the pipe early (| head -1) ends the command quietly with exit 0', async (t) => {
  const dir = await makeStore(t, 30_000)
  const cases = [['scan'], ['scan', '--format', 'json'], ['scan', '--format', 'ndjson'], ['dump', '--records'], ['dump', '--hex']]
  for (const args of cases) {
    let chunks = 0
    const r = await runPiped([...args, '--dir', dir], (_chunk, stdout) => {
      chunks++
      stdout.destroy()
    })
    t.is(chunks, 1, args.join(' '))
    t.is(r.stderr, '', `${args.join(' ')}: nothing on stderr`)
    t.is(r.code, 0, args.join(' '))
  }
})

test('a slow reader gets the whole output, and the exit status comes after it', async (t) => {
  const dir = await makeStore(t, 30_000)
  const got: Buffer[] = []
  let paused = 0
  const r = await runPiped(['scan', '--format', 'ndjson', '--dir', dir], (chunk, stdout) => {
    got.push(chunk)
    if (got.length % 20 === 0) {
      paused++
      stdout.pause()
      setTimeout(() => stdout.resume(), 20)
    }
  })
  t.is(r.code, 0, r.stderr)
  t.true(paused > 5, `the reader paused ${paused} times`)
  const lines = Buffer.concat(got).toString('utf8').split('\n').filter((l) => l !== '')
  t.is(lines.length, 30_002)
  t.is((JSON.parse(lines[lines.length - 1]) as {key: string}).key, 'k')
})
