/**
 * The one error class of strata. Every failure the engine reports carries a
 * stable `code`; callers and tests branch on the code, never on the message.
 */

/** Stable error codes. Part of the public contract: add, never rename. */
export const ErrorCode = {
  /** A key (or anything else looked up) does not exist. */
  NOT_FOUND: 'NOT_FOUND',
  /** The caller passed something invalid: a bad key, value, option or encoding. */
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  /** The directory is not a strata store (no STORE descriptor). */
  NOT_A_STORE: 'NOT_A_STORE',
  /** `init` on a directory that already holds a store. */
  ALREADY_EXISTS: 'ALREADY_EXISTS',
  /** Bytes on disk do not decode: bad checksum, bad length, bad order. */
  CORRUPTION: 'CORRUPTION',
  /** Another process holds the writer lock. */
  BUSY: 'BUSY',
  /** The operating system reported an I/O failure. The store stops (fail-stop). */
  IO: 'IO',
  /** The store was written by a newer strata, or uses a feature this build lacks. */
  UNSUPPORTED: 'UNSUPPORTED',
  /** The store handle is closed, or stopped after an earlier fatal error. */
  CLOSED: 'CLOSED',
  /** A value does not validate against the schema version it is written or stored with. */
  SCHEMA_MISMATCH: 'SCHEMA_MISMATCH',
  /** A stored value does not convert through a schema's declared changes. */
  CONVERSION_FAILED: 'CONVERSION_FAILED',
  /** A request to `strata serve` without the bearer token it requires. */
  UNAUTHORIZED: 'UNAUTHORIZED',
} as const

/** One of the stable error codes. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]

/** Optional context attached to an error. */
export interface ErrorDetails {
  /** File the problem was found in. */
  readonly file?: string
  /** Byte offset inside `file`. */
  readonly offset?: number
  /** A hint for the user on how to fix it. */
  readonly hint?: string
  /** The underlying error, for I/O failures. */
  readonly cause?: unknown
}

/** The error class thrown by every strata API. */
export class StrataError extends Error {
  readonly code: ErrorCode
  readonly file?: string
  readonly offset?: number
  readonly hint?: string

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : {cause: details.cause})
    this.name = 'StrataError'
    this.code = code
    if (details.file !== undefined) this.file = details.file
    if (details.offset !== undefined) this.offset = details.offset
    if (details.hint !== undefined) this.hint = details.hint
  }
}

/** A CORRUPTION error naming the file and byte offset where decoding failed. */
export function corruption(file: string, offset: number, what: string): StrataError {
  return new StrataError(ErrorCode.CORRUPTION, `${file}: ${what} at byte ${offset}`, {file, offset})
}

/** An INVALID_ARGUMENT error. */
export function invalidArgument(message: string, hint?: string): StrataError {
  return new StrataError(ErrorCode.INVALID_ARGUMENT, message, hint === undefined ? {} : {hint})
}

/** Wraps an operating-system error (ENOENT, EIO, ENOSPC, ...) as an IO StrataError. */
export function ioError(op: string, path: string, cause: unknown): StrataError {
  if (cause instanceof StrataError) return cause
  const sys = cause as NodeJS.ErrnoException
  const code = sys && typeof sys.code === 'string' ? sys.code : 'EIO'
  return new StrataError(ErrorCode.IO, `${op} ${path}: ${code}${sys?.message ? ` (${sys.message.replace(/^\w+: /, '')})` : ''}`, {
    file: path,
    cause,
  })
}

/** True when `err` is an operating-system "no such file" error. */
export function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT' ||
    (err instanceof StrataError && (err.cause as NodeJS.ErrnoException)?.code === 'ENOENT')
}
