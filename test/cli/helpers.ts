/**
 * Shared by the CLI tests: the CLI as a real child process (the one runner
 * of helpers/cli.ts), stores made through it, and assertions on its output.
 */
import {join} from 'node:path'
import type {ExecutionContext} from 'ava'
import {runJs, strataAsync, type CliOptions, type CliResult} from '../helpers/cli.js'
import {repoRoot, snapshotTree, tempDir} from '../helpers/temp.js'

export {tempDir}

/** Every file and directory under `dir` with the sha256 of each file's bytes. */
export const treeHash = snapshotTree

/** The repository root (tests run from dist/test/cli). */
export const ROOT = repoRoot
export const BIN = runJs

/** What a CLI run produced (helpers/cli.ts CliResult: `code` is the exit code). */
export type RunResult = CliResult

/** Options for `strata`. */
export type RunOptions = CliOptions

/** Runs `node bin/run.js ...args` as a child process (helpers/cli.ts strataAsync). */
export const strata = strataAsync

/** Creates a store in a temp dir and returns its path. */
export async function newStore(t: ExecutionContext, shards = 4): Promise<string> {
  const dir = join(tempDir(t), 'data')
  const r = await strata(['init', '--dir', dir, '--shards', String(shards)])
  t.is(r.code, 0, r.stderr)
  return dir
}

/** Asserts a failed run: exit code, exactly one stderr line `strata: error CODE: ...`, nothing on stdout. */
export function assertError(t: ExecutionContext, r: RunResult, code: string, exit: number, message?: RegExp): void {
  t.is(r.code, exit, `stderr: ${r.stderr}`)
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
  t.is(r.code, exit, r.stderr)
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
