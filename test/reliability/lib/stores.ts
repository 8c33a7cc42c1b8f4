/**
 * Small shared pieces of the reliability tests: unique in-memory store
 * paths, verify-report helpers, and a failure collector that keeps the
 * first few messages of a long loop.
 */
import type {ExecutionContext} from 'ava'
import {verifyStore, type FileSystem, type VerifyReport} from '../../../src/index.js'

let counter = 0

/** A fresh absolute path for an in-memory store, unique across processes (for messages and replays). */
export function memRoot(tag = 'mem'): string {
  return `/strata-${tag}-${process.pid}-${Date.now().toString(36)}-${counter++}`
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

  report(t: ExecutionContext, what: string): void {
    for (const m of this.messages) t.fail(m)
    if (this.count > this.messages.length) t.fail(`… and ${this.count - this.messages.length} more ${what} failures`)
    if (this.count === 0) t.pass()
  }
}

/** `err` as one line. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}${(err as {code?: string}).code ? ` ${(err as {code?: string}).code}` : ''}: ${err.message}`
  return String(err)
}
