/**
 * Runs the strata CLI as a real child process (node bin/run.js ...), with a
 * clean environment: no TTY, CI=true, no STRATA_DIR unless given.
 */
import {spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import {mkdtempSync, readdirSync, readFileSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join, relative, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import type {ExecutionContext} from 'ava'

/** The repository root (tests run from dist/test/cli). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
export const BIN = join(ROOT, 'bin', 'run.js')

/** What a CLI run produced. */
export interface RunResult {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
  readonly stdoutBytes: Buffer
}

/** Options for `strata`. */
export interface RunOptions {
  /** Bytes or text written to stdin (stdin is closed either way). */
  readonly input?: string | Buffer
  readonly env?: Record<string, string>
}

/** Runs `node bin/run.js ...args`. */
export function strata(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && k !== 'STRATA_DIR' && !k.startsWith('FORCE_COLOR') && k !== 'NODE_OPTIONS') env[k] = v
  }
  Object.assign(env, {CI: 'true', OCLIF_SKIP_NEW_VERSION_CHECK: 'true'}, options.env ?? {})
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {env, cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe']})
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (b: Buffer) => out.push(b))
    child.stderr.on('data', (b: Buffer) => err.push(b))
    child.on('error', reject)
    child.on('close', (status) => {
      const stdoutBytes = Buffer.concat(out)
      resolvePromise({status, stdout: stdoutBytes.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), stdoutBytes})
    })
    child.stdin.on('error', () => {}) // the CLI may exit before reading all of stdin
    child.stdin.end(options.input ?? '')
  })
}

/** A fresh temporary directory, removed when the test ends. */
export function tempDir(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'strata-cli-'))
  t.teardown(() => rmSync(dir, {recursive: true, force: true}))
  return dir
}

/** Creates a store in a temp dir and returns its path. */
export async function newStore(t: ExecutionContext, shards = 4): Promise<string> {
  const dir = join(tempDir(t), 'data')
  const r = await strata(['init', '--dir', dir, '--shards', String(shards)])
  t.is(r.status, 0, r.stderr)
  return dir
}

/** Every file and directory under `dir` with the sha256 of each file's bytes. */
export function treeHash(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name)
      const rel = relative(dir, p)
      if (statSync(p).isDirectory()) {
        out[`${rel}/`] = 'dir'
        walk(p)
      } else {
        out[rel] = createHash('sha256').update(readFileSync(p)).digest('hex')
      }
    }
  }
  walk(dir)
  return out
}

/** Asserts a failed run: exit code, exactly one stderr line `strata: error CODE: ...`, nothing on stdout. */
export function assertError(t: ExecutionContext, r: RunResult, code: string, exit: number, message?: RegExp): void {
  t.is(r.status, exit, `stderr: ${r.stderr}`)
  const lines = r.stderr.split('\n').filter((l) => l !== '')
  t.is(lines.length, 1, `stderr must be one line, got: ${JSON.stringify(r.stderr)}`)
  t.regex(lines[0] ?? '', new RegExp(`^strata: error ${code}: `))
  t.notRegex(r.stderr, /\n\s+at /, 'no stack trace')
  // eslint-disable-next-line no-control-regex
  t.notRegex(r.stderr, /\u001b\[/, 'no colour when stderr is not a TTY')
  if (message) t.regex(lines[0] ?? '', message)
}

/** Parses a JSON error line from stderr and checks its code and exitCode. */
export function assertJsonError(t: ExecutionContext, r: RunResult, code: string, exit: number): {code: string; message: string; hint: string | null; exitCode: number} {
  t.is(r.status, exit, r.stderr)
  const lines = r.stderr.split('\n').filter((l) => l !== '')
  t.is(lines.length, 1, r.stderr)
  const doc = JSON.parse(lines[0] ?? '') as {error: {code: string; message: string; hint: string | null; exitCode: number}}
  t.is(doc.error.code, code)
  t.is(doc.error.exitCode, exit)
  t.is(typeof doc.error.message, 'string')
  t.true(doc.error.hint === null || typeof doc.error.hint === 'string')
  return doc.error
}

/** NDJSON text → objects. */
export function ndjson<T = Record<string, unknown>>(text: string): T[] {
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as T)
}
