/**
 * Errors the CLI itself raises (usage errors, unexpected failures), alongside
 * the engine's StrataError. Both carry a stable code from exit-codes.ts.
 */
import {ErrorCode} from '../../errors.js'
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

/** Refuses an empty --dir (or $STRATA_DIR given as --dir ''): exit 2, before anything looks at the disk. */
export function checkDirFlag(dir: string | undefined): void {
  if (dir === '') throw new CliError(ErrorCode.INVALID_ARGUMENT, '--dir is empty', 'give the data directory, e.g. --dir ./data')
}
