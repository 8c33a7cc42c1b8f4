/**
 * The one way tests run the strata CLI: `node bin/run.js args…` as a real
 * child process, from the repository root, in the environment of a script
 * in a pipeline (no TTY, CI=true, no inherited STRATA_DIR, colour forcing or
 * NODE_OPTIONS). `strata` waits synchronously, `strataAsync` lets several
 * run at once; both give the same result.
 */
import {spawn, spawnSync} from 'node:child_process'
import * as path from 'node:path'
import {repoRoot} from './temp.js'

export const runJs = path.join(repoRoot, 'bin', 'run.js')

/** The environment CLI tests run in; `extra` is added last. */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && k !== 'STRATA_DIR' && k !== 'NODE_OPTIONS' && !k.startsWith('FORCE_COLOR')) env[k] = v
  }
  return {...env, CI: 'true', OCLIF_SKIP_NEW_VERSION_CHECK: 'true', ...extra}
}

/** What a CLI run produced. */
export interface CliResult {
  /** The exit code (null if a signal ended the process). */
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  /** stdout as bytes, for binary output. */
  readonly stdoutBytes: Buffer
}

/** How to run the CLI. */
export interface CliOptions {
  /** Bytes or text written to stdin (stdin is closed either way). */
  readonly input?: string | Buffer
  /** Variables added to the environment. */
  readonly env?: Record<string, string>
  /** A soft limit on the process's open files (`ulimit -n`), to prove a command needs few. */
  readonly openFiles?: number
}

const optionsOf = (o: string | Buffer | CliOptions | undefined): CliOptions =>
  typeof o === 'string' || Buffer.isBuffer(o) ? {input: o} : (o ?? {})

/** The program and arguments that run the CLI with `args` under `o`. */
function commandOf(args: readonly string[], o: CliOptions): [string, string[]] {
  const node = [runJs, ...args]
  if (o.openFiles === undefined) return [process.execPath, node]
  return ['bash', ['-c', `ulimit -n ${o.openFiles} && exec "$0" "$@"`, process.execPath, ...node]]
}

/** Runs `strata args…` synchronously; the second argument is stdin, or the options. */
export function strata(args: readonly string[], options?: string | Buffer | CliOptions): CliResult {
  const o = optionsOf(options)
  const [file, argv] = commandOf(args, o)
  const r = spawnSync(file, argv, {env: cliEnv(o.env), cwd: repoRoot, input: o.input ?? '', maxBuffer: 256 * 1024 * 1024})
  if (r.error !== undefined) throw r.error
  return {code: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8'), stdoutBytes: r.stdout}
}

/** Runs `strata args…` asynchronously, so several can run at once; the second argument is stdin, or the options. */
export function strataAsync(args: readonly string[], options?: string | Buffer | CliOptions): Promise<CliResult> {
  const o = optionsOf(options)
  return new Promise((resolve, reject) => {
    const [file, argv] = commandOf(args, o)
    const child = spawn(file, argv, {env: cliEnv(o.env), cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe']})
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (b: Buffer) => out.push(b))
    child.stderr.on('data', (b: Buffer) => err.push(b))
    child.on('error', reject)
    child.on('close', (code) => {
      const stdoutBytes = Buffer.concat(out)
      resolve({code, stdout: stdoutBytes.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), stdoutBytes})
    })
    child.stdin.on('error', () => {}) // the CLI may exit before reading all of stdin
    child.stdin.end(o.input ?? '')
  })
}
