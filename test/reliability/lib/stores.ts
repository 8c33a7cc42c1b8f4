/**
 * Small shared pieces of the reliability tests: in-memory store paths, verify-report helpers, and a failure collector that keeps the
 * first few messages of a long loop.
 */
import type {ExecutionContext} from 'ava'
import {verifyStore, type FileSystem, type VerifyReport} from '../../../src/index.js'

/**
 * The absolute path of the folder an in-memory store lives in. Every test
 * makes its own in-memory filesystem, so the path need not be unique; it is
 * fixed, so that a test's run (and its messages) never depends on which other
 * tests ran before it, and a seed replays it exactly. Within one filesystem,
 * callers tell their folders apart by `tag`.
 */
export function memRoot(tag = 'mem'): string {
  return `/strata-${tag}`
}

/** The error findings of a report, one line each. */
export function verifyErrors(report: VerifyReport): string[] {
  return report.findings.filter((f) => f.severity === 'error').map((f) => `${f.check} ${f.file}@${f.offset}: ${f.message}`)
}

/** Runs verify on `dir` through `fs`; returns why it is not clean, or undefined. Warnings (orphans, torn tails) are allowed. */
export function verifyProblem(dir: string, fs?: FileSystem): string | undefined {
  let report: VerifyReport
  try {
    report = verifyStore(dir, fs === undefined ? {} : {fs})
  } catch (err) {
    return `verify threw ${(err as Error).name}: ${(err as Error).message}`
  }
  if (report.ok) return undefined
  return `verify found ${report.summary.errors} error(s): ${verifyErrors(report).slice(0, 3).join(' | ')}`
}

/** Collects failures of a long loop; reports the first `keep` through t.fail and the total. */
export class Failures {
  readonly messages: string[] = []
  count = 0

  constructor(private readonly keep = 5) {}

  add(message: string): void {
    this.count++
    if (this.messages.length < this.keep) this.messages.push(message)
  }

  /** Fails `t` with the kept messages; asserts that nothing failed. The caller asserts how many cases it checked. */
  report(t: ExecutionContext, what: string): void {
    for (const m of this.messages) t.fail(m)
    if (this.count > this.messages.length) t.fail(`… and ${this.count - this.messages.length} more ${what} failures`)
    t.is(this.count, 0, `${what} failures`)
  }
}

/** `err` as one line. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}${(err as {code?: string}).code ? ` ${(err as {code?: string}).code}` : ''}: ${err.message}`
  return String(err)
}
