/**
 * Turns anything a command throws into one report: a stable code, a one-line
 * message, an optional hint and the exit status. The CLI prints exactly this,
 * never a stack trace.
 */
import {StrataError} from '../../errors.js'
import {CliError} from './cli-error.js'
import {CliErrorCode, exitCodeFor, type ReportedCode} from './exit-codes.js'
import {chalkFor} from '../output/color.js'

/** What the CLI prints for a failed command. JSON shape (stable): {"error": ErrorReport}. */
export interface ErrorReport {
  readonly code: ReportedCode
  readonly message: string
  readonly hint: string | null
  readonly exitCode: number
  /** File the problem was found in (corruption, I/O), when known. */
  readonly file?: string
  /** Byte offset in `file`, when known. */
  readonly offset?: number
  /** `put --batch` stopped by an error: input lines 1..appliedLines are applied and durable (0: none). */
  readonly appliedLines?: number
  /** `put --batch` stopped by an error: the line to load again from (nothing from it on is known to be applied). */
  readonly resumeFromLine?: number
}

/** Collapses a possibly multi-line message into one line. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, '; ').replace(/\s+/g, ' ').replace(/^(; )+|(; )+$/g, '').trim()
}

/** Builds the report for `err`. */
export function reportError(err: unknown): ErrorReport {
  if (err instanceof StrataError) {
    return {
      code: err.code,
      message: oneLine(err.message),
      hint: err.hint === undefined ? null : oneLine(err.hint),
      exitCode: exitCodeFor(err.code),
      ...(err.file === undefined ? {} : {file: err.file}),
      ...(err.offset === undefined ? {} : {offset: err.offset}),
    }
  }
  if (err instanceof CliError) {
    return {code: err.code, message: oneLine(err.message), hint: err.hint ?? null, exitCode: exitCodeFor(err.code), ...err.fields}
  }
  const sys = err as NodeJS.ErrnoException | undefined
  if (sys && typeof sys.code === 'string' && /^E[A-Z]+$/.test(sys.code) && typeof sys.syscall === 'string') {
    return {code: 'IO', message: oneLine(sys.message), hint: null, exitCode: exitCodeFor('IO')}
  }
  const message = err instanceof Error ? err.message : String(err)
  return {
    code: CliErrorCode.INTERNAL,
    message: oneLine(message || 'unexpected error'),
    hint: 'this is a bug in strata; please report it with the command you ran',
    exitCode: exitCodeFor(CliErrorCode.INTERNAL),
  }
}

/**
 * Converts an error thrown by oclif's argument parser into a USAGE CliError
 * with a one-line message. `command` names the command for the hint.
 */
export function usageError(err: unknown, command: string): CliError {
  if (err instanceof StrataError || err instanceof CliError) return err as CliError
  const hint = `run "strata ${command} --help" for usage`
  const e = err as {args?: Array<{name?: string}> | string[]; flags?: string[]; message?: string; constructor?: {name?: string}}
  const kind = e?.constructor?.name
  if (kind === 'RequiredArgsError' && Array.isArray(e.args)) {
    const names = (e.args as Array<{name?: string}>).map((a) => (a.name ?? '?').toUpperCase())
    return new CliError(CliErrorCode.USAGE, `missing required argument${names.length === 1 ? '' : 's'} ${names.join(', ')}`, hint)
  }
  if (kind === 'NonExistentFlagsError' && Array.isArray(e.flags)) {
    return new CliError(CliErrorCode.USAGE, `unknown flag${e.flags.length === 1 ? '' : 's'} ${e.flags.join(', ')}`, hint)
  }
  if (kind === 'UnexpectedArgsError' && Array.isArray(e.args)) {
    return new CliError(CliErrorCode.USAGE, `unexpected argument${e.args.length === 1 ? '' : 's'} ${(e.args as string[]).map((a) => JSON.stringify(a)).join(', ')}`, hint)
  }
  const raw = typeof e?.message === 'string' ? e.message : String(err)
  const cleaned = raw
    .replace(/See more help with --help/g, '')
    .replace(/Parsing (--[\w-]+)\s*\n\s*/g, '$1: ')
    .replace(/^The following errors? occurred:\s*/, '')
  // oclif colours some parse messages; strip ANSI escapes so the line is plain.
  // eslint-disable-next-line no-control-regex
  return new CliError(CliErrorCode.USAGE, oneLine(cleaned.replace(/\u001b\[[0-9;]*m/g, '')), hint)
}

/** Text form of an error line: `strata: error CODE: message (hint: ...)`. */
export function errorLine(report: ErrorReport, colored = false): string {
  const c = chalkFor({isTTY: colored})
  const hint = report.hint ? ` ${c.dim(`(hint: ${report.hint})`)}` : ''
  return `${c.red(`strata: error ${report.code}:`)} ${report.message}${hint}`
}

/** An argument as it would be typed in a POSIX shell (for hints that show a command): quoted unless plainly safe. */
export function shellWord(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`
}
