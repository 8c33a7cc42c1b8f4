/**
 * How every command ends, on the oclif path (base-command.ts) and the lean
 * `get` path (fast-path.ts) alike:
 *
 * 1. stdout is flushed: the exit status is set only once the output is with
 *    the operating system (setting it, or exiting, first can lose output or
 *    report success for output that then fails).
 * 2. A failed stdout write wins over the command's own outcome, because the
 *    output the caller relies on is incomplete: `error IO` and exit 5.
 *    A reader that went away (EPIPE) is not a failure: the command ends
 *    quietly with the status it would otherwise have had (0 for a scan cut
 *    short by `| head`).
 * 3. An error is printed as exactly one line on stderr (JSON under a JSON
 *    format) and sets process.exitCode; nothing calls process.exit, so
 *    pending output is never cut off.
 */
import {chalkFor} from '../output/color.js'
import {errorLine, reportError, type ErrorReport} from './error-report.js'
import type {Output} from '../output/output.js'

/**
 * Ends a command that failed with `err` (undefined: it succeeded) and wrote to
 * `out` (if it got that far). `amend` may add a hint to the error's report.
 */
export async function finishCommand(out: Output | undefined, err: unknown, errorsAsJson: boolean, amend?: (report: ErrorReport) => ErrorReport): Promise<void> {
  let failure = err
  if (out !== undefined) {
    try {
      await out.flush()
    } catch (flushErr) {
      failure = flushErr
    }
  }
  if (failure === undefined) return
  const report = amend === undefined ? reportError(failure) : amend(reportError(failure))
  const line = errorsAsJson ? JSON.stringify({error: report}) : errorLine(report, chalkFor(process.stderr).level > 0)
  process.stderr.write(`${line}\n`)
  process.exitCode = report.exitCode
}
