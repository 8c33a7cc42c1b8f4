import {spawn, spawnSync} from 'node:child_process'
import * as path from 'node:path'
import {repoRoot} from './temp.js'

export const runJs = path.join(repoRoot, 'bin', 'run.js')

/** The environment CLI tests run in: no TTY, no colour, no inherited STRATA_DIR. */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {...process.env, CI: 'true', NO_COLOR: '1', OCLIF_SKIP_NEW_VERSION_CHECK: 'true', ...extra}
  delete env.STRATA_DIR
  return env
}

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs `strata args…` synchronously as a real child process. */
export function strata(args: string[], input?: string | Buffer): CliResult {
  const r = spawnSync(process.execPath, [runJs, ...args], {env: cliEnv(), input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024})
  return {code: r.status, stdout: r.stdout, stderr: r.stderr}
}

/** Runs `strata args…` asynchronously, so several can run at once. */
export function strataAsync(args: string[], input?: string | Buffer): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [runJs, ...args], {env: cliEnv(), stdio: ['pipe', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({code, stdout, stderr}))
    child.stdin.end(input ?? '')
  })
}
