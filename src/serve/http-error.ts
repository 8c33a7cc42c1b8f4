/**
 * The server's one error path: anything a handler throws becomes an HTTP
 * status and a JSON body carrying the same stable error codes the CLI prints.
 *
 * JSON error body (stable; fields may be added):
 *   {"error": {"code": "NOT_FOUND", "message": "...", "hint": string|null, "status": 404, ...}}
 * Extra fields: `allowed` (405: the methods the path takes), `role` (a write
 * refused by a server that only reads), `source` (the replica a read replica
 * follows, on such a refusal), `appliedLines` / `resumeFromLine` /
 * `applied` (a /bulk load that stopped part-way).
 */
import {ErrorCode, StrataError} from '../errors.js'
import {ImportError} from '../bulk/import-error.js'

/** Code for a failure that is a bug in strata, as the CLI reports it. */
export const INTERNAL = 'INTERNAL'

/** An error with the HTTP status it answers with; `fields` are added to the JSON body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint?: string,
    readonly fields: Record<string, unknown> = {},
  ) {
    super(message)
    this.name = 'HttpError'
  }
}

/** HTTP status of each engine error code. Unknown codes are server failures (500). */
const STATUS: Readonly<Record<string, number>> = {
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.INVALID_ARGUMENT]: 400,
  [ErrorCode.SCHEMA_MISMATCH]: 400,
  [ErrorCode.CONVERSION_FAILED]: 400,
  [ErrorCode.UNAUTHORIZED]: 401,
  [ErrorCode.BUSY]: 503,
  [ErrorCode.NOT_A_STORE]: 500,
  [ErrorCode.CORRUPTION]: 500,
  [ErrorCode.IO]: 500,
  [ErrorCode.CLOSED]: 503,
  [ErrorCode.UNSUPPORTED]: 500,
}

/** 400 INVALID_ARGUMENT: a malformed request. */
export function badRequest(message: string, hint?: string): HttpError {
  return new HttpError(400, ErrorCode.INVALID_ARGUMENT, message, hint)
}

/** The JSON error body and status for anything a handler threw. */
export function errorResponse(err: unknown): {status: number; body: {error: Record<string, unknown>}} {
  let status: number
  let error: Record<string, unknown>
  if (err instanceof HttpError) {
    status = err.status
    error = {code: err.code, message: oneLine(err.message), hint: err.hint ?? null, status, ...err.fields}
  } else if (err instanceof StrataError) {
    status = STATUS[err.code] ?? 500
    error = {code: err.code, message: oneLine(err.message), hint: err.hint === undefined ? null : oneLine(err.hint), status}
    if (err instanceof ImportError) {
      error = {...error, appliedLines: err.appliedLines, resumeFromLine: err.resumeFromLine, applied: err.applied}
    }
  } else {
    status = 500
    const message = err instanceof Error ? err.message : String(err)
    error = {code: INTERNAL, message: oneLine(message || 'unexpected error'), hint: 'this is a bug in strata; please report it with the request you sent', status}
  }
  return {status, body: {error}}
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, '; ').replace(/\s+/g, ' ').trim()
}

/** 404 NOT_FOUND. */
export function notFound(message: string): HttpError {
  return new HttpError(404, ErrorCode.NOT_FOUND, message)
}
