/**
 * Errors the CLI itself raises (usage errors, unexpected failures), alongside
 * the engine's StrataError. Both carry a stable code from exit-codes.ts.
 */
import type {ReportedCode} from './exit-codes.js'

/** An error raised by the command-line layer, with a stable code and an optional hint. */
export class CliError extends Error {
  readonly code: ReportedCode
  readonly hint?: string
  /** Fields added to the error's JSON report (see ErrorReport), e.g. where a stopped load can resume. */
  readonly fields?: Readonly<Record<string, string | number>>

  constructor(code: ReportedCode, message: string, hint?: string, fields?: Readonly<Record<string, string | number>>) {
    super(message)
    this.name = 'CliError'
    this.code = code
    if (hint !== undefined) this.hint = hint
    if (fields !== undefined) this.fields = fields
  }
}
