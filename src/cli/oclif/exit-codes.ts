/**
 * The CLI's exit codes: the one place that maps an error code to a process
 * exit status. Part of the CLI contract (DESIGN.md): scripts branch on these.
 *
 *   0 ok · 1 not found / nothing matched · 2 usage or bad input ·
 *   3 corruption · 4 busy (lock timeout) · 5 I/O or unrecoverable state
 */
import {ErrorCode} from '../../errors.js'

/** Exit statuses by meaning. */
export const Exit = {
  OK: 0,
  NOT_FOUND: 1,
  USAGE: 2,
  CORRUPTION: 3,
  BUSY: 4,
  FAILURE: 5,
} as const
export type Exit = (typeof Exit)[keyof typeof Exit]

/**
 * Error codes the CLI reports that the engine does not: USAGE for command-line
 * parse errors (unknown flag, missing argument, bad option value) and INTERNAL
 * for anything unexpected (a bug). Stable, like the engine's codes.
 */
export const CliErrorCode = {
  USAGE: 'USAGE',
  INTERNAL: 'INTERNAL',
} as const
export type CliErrorCode = (typeof CliErrorCode)[keyof typeof CliErrorCode]

/** Every error code the CLI can print, engine's and its own. */
export type ReportedCode = ErrorCode | CliErrorCode

/** Error code → exit status. Exported so the README and tests use the same table. */
export const EXIT_CODES: Readonly<Record<ReportedCode, Exit>> = {
  [ErrorCode.NOT_FOUND]: Exit.NOT_FOUND,
  [ErrorCode.INVALID_ARGUMENT]: Exit.USAGE,
  [ErrorCode.NOT_A_STORE]: Exit.USAGE,
  [ErrorCode.ALREADY_EXISTS]: Exit.USAGE,
  [CliErrorCode.USAGE]: Exit.USAGE,
  [ErrorCode.CORRUPTION]: Exit.CORRUPTION,
  [ErrorCode.BUSY]: Exit.BUSY,
  [ErrorCode.IO]: Exit.FAILURE,
  [ErrorCode.UNSUPPORTED]: Exit.FAILURE,
  [ErrorCode.CLOSED]: Exit.FAILURE,
  [ErrorCode.SCHEMA_MISMATCH]: Exit.USAGE,
  [ErrorCode.CONVERSION_FAILED]: Exit.USAGE,
  [ErrorCode.UNAUTHORIZED]: Exit.USAGE,
  [CliErrorCode.INTERNAL]: Exit.FAILURE,
}

/** The exit status for an error code; unknown codes are unexpected failures (5). */
export function exitCodeFor(code: string): Exit {
  return (EXIT_CODES as Record<string, Exit>)[code] ?? Exit.FAILURE
}
