/**
 * The error of an NDJSON import that stopped part-way: the StrataError that
 * stopped it (its code, message, file and offset), plus what was applied and
 * the line to load again from, so a caller can resume without guessing.
 */
import {ErrorCode, StrataError} from '../errors.js'
import type {ImportResult} from './import-ndjson.js'

/** An import stopped by a bad line or a failed write; see the file comment. */
export class ImportError extends StrataError {
  /** Input lines 1..appliedLines are applied (durable once the store is closed); 0: none. */
  readonly appliedLines: number
  /** The first line not known to be applied: load again from here. */
  readonly resumeFromLine: number
  /** True if a bad input line stopped it (nothing of its chunk was written); false for a failed write or read. */
  readonly badLine: boolean
  /** Counts of what was applied. */
  readonly applied: ImportResult

  constructor(cause: StrataError, badLine: boolean, appliedLines: number, resumeFromLine: number, applied: ImportResult) {
    super(cause.code, cause.message, {
      ...(cause.file === undefined ? {} : {file: cause.file}),
      ...(cause.offset === undefined ? {} : {offset: cause.offset}),
      hint: resumeHint(badLine, appliedLines, resumeFromLine, applied),
      cause,
    })
    this.name = 'ImportError'
    this.appliedLines = appliedLines
    this.resumeFromLine = resumeFromLine
    this.badLine = badLine
    this.applied = applied
  }
}

/**
 * `err` as an ImportError. An operating-system error (reading the input) is
 * an IO error with its own message; anything else that is not a StrataError
 * is a bug and is thrown on as it is.
 */
export function importFailure(err: unknown, badLine: boolean, appliedLines: number, resumeFromLine: number, applied: ImportResult): ImportError {
  let cause: StrataError
  if (err instanceof StrataError) {
    cause = err
  } else {
    const sys = err as NodeJS.ErrnoException | undefined
    if (!(sys && typeof sys.code === 'string' && /^E[A-Z]+$/.test(sys.code) && typeof sys.syscall === 'string')) throw err
    cause = new StrataError(ErrorCode.IO, sys.message, {cause: err})
  }
  return new ImportError(cause, badLine, appliedLines, resumeFromLine, applied)
}

/** What was applied and what to do next; ends with "load again from line N" when some lines were applied. */
function resumeHint(badLine: boolean, appliedLines: number, resumeFromLine: number, applied: ImportResult): string {
  const {chunks, puts, deletes} = applied
  const counts = `${chunks} chunk${chunks === 1 ? '' : 's'}: ${puts} puts, ${deletes} deletes`
  const again = `load again from line ${resumeFromLine}`
  if (badLine) {
    return appliedLines === 0
      ? 'nothing was written. Fix the line and run the load again'
      : `lines 1-${appliedLines} were applied and are durable (${counts}); nothing from line ${resumeFromLine} on was written. Fix the line and ${again}`
  }
  // A failed write may leave a part of its chunk written (shards are written one by one):
  // loading those lines again is safe, as a put or delete applied twice has the same result.
  return appliedLines === 0
    ? 'no line was applied in full (a part of the first chunk may be). Fix the cause and run the load again; loading a line twice is safe'
    : `lines 1-${appliedLines} were applied and are durable (${counts}); from line ${resumeFromLine} on at most a part of one chunk was. Fix the cause and ${again}`
}
