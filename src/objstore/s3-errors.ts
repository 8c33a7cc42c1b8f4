/**
 * What an S3 failure means to strata, and the bounded retry around each
 * request. The SDK is built with a single attempt per call: retries are done
 * here, so that every request, the reading of a response body included, is
 * retried the same way and the final error names the destination and key.
 *
 * Messages are built from the status, the S3 error code and the network
 * error code only, never from the SDK's text or the request, so they never
 * carry credentials or signatures.
 */
import {ErrorCode, StrataError} from '../errors.js'
import type {S3Options} from './s3-config.js'

/** The fields of an SDK or network error this module reads. */
interface SdkError {
  readonly name?: string
  readonly code?: string
  readonly Code?: string
  readonly $metadata?: {readonly httpStatusCode?: number}
  readonly $retryable?: unknown
}

const asSdk = (err: unknown): SdkError => (typeof err === 'object' && err !== null ? (err as SdkError) : {})

/** The HTTP status of a failed request, or undefined when none arrived. */
export function statusOf(err: unknown): number | undefined {
  return asSdk(err).$metadata?.httpStatusCode
}

/** The S3 error code (NoSuchKey, PreconditionFailed, ...) or the network error code. */
export function codeOf(err: unknown): string {
  const e = asSdk(err)
  return e.Code ?? e.code ?? e.name ?? 'Error'
}

const RETRYABLE_CODES = new Set(['RequestTimeout', 'RequestTimeTooSkewed', 'SlowDown', 'Throttling', 'ThrottlingException', 'InternalError', 'ServiceUnavailable'])

/**
 * Whether another attempt may succeed: no response at all (refused, reset,
 * timed out), a 5xx or 429, or an S3 code that says "try again". A 4xx is the
 * server's answer and is final.
 */
export function isRetryable(err: unknown): boolean {
  if (err instanceof StrataError || codeOf(err) === 'CredentialsProviderError') return false
  const status = statusOf(err)
  if (status === undefined) return true
  return status >= 500 || status === 429 || RETRYABLE_CODES.has(codeOf(err))
}

/** Whether the server said the object (or, for HEAD, the object or bucket) is absent. */
export function isNotFoundError(err: unknown): boolean {
  const code = codeOf(err)
  return code === 'NoSuchKey' || (statusOf(err) === 404 && code !== 'NoSuchBucket')
}

/** Whether a conditional write lost: the key exists (412) or another conditional write on it is in flight (409). */
export function isConditionFailed(err: unknown): boolean {
  const status = statusOf(err)
  const code = codeOf(err)
  return status === 412 || code === 'PreconditionFailed' || ((status === 409 || code === 'ConditionalRequestConflict') && code !== 'BucketAlreadyExists')
}

/** A short reason for a failure: `HTTP 503 ServiceUnavailable`, `ECONNREFUSED`. */
export function reasonOf(err: unknown): string {
  const status = statusOf(err)
  const code = codeOf(err)
  if (code === 'CredentialsProviderError') return 'no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or an AWS profile)'
  if (status === undefined) return code === 'TimeoutError' ? 'timed out' : `${code} (no response)`
  // A response without a body (HEAD) carries no S3 code: the SDK says Unknown.
  const http = code === 'Unknown' || code === 'Error' ? `HTTP ${status}` : `HTTP ${status} ${code}`
  if (code === 'InvalidAccessKeyId' || code === 'SignatureDoesNotMatch' || code === 'AccessDenied' || status === 403) {
    return `access denied (${http}): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`
  }
  if (code === 'NoSuchBucket') return `the bucket does not exist (${http})`
  return http
}

/** The IO error for `op` on `key` of `url` that failed with `err` after `attempts` attempts. */
export function s3IoError(url: string, op: string, key: string, err: unknown, attempts: number): StrataError {
  if (err instanceof StrataError) return err
  const where = key === '' ? url : `${url.replace(/\/+$/, '')}/${key}`
  const tries = attempts > 1 ? ` after ${attempts} attempts` : ''
  return new StrataError(ErrorCode.IO, `${op} ${where}: ${reasonOf(err)}${tries}`, {file: where, cause: err})
}

/** A failure that ran out of attempts (or was final), with how many were made. */
export class S3Failure {
  constructor(readonly error: unknown, readonly attempts: number) {}
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Runs `attempt` until it succeeds, fails with a final error, or has been
 * tried `options.maxAttempts` times, sleeping baseDelayMs, 2×, 4×, ... (with
 * ±25 % jitter) between tries. Throws an S3Failure; `attempt` gets the
 * attempt number (1-based).
 */
export async function withRetries<T>(options: S3Options, attempt: (n: number) => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n)
    } catch (err) {
      if (n >= options.maxAttempts || !isRetryable(err)) throw new S3Failure(err, n)
      const delay = options.baseDelayMs * 2 ** (n - 1)
      await sleep(delay * (0.75 + Math.random() * 0.5))
    }
  }
}
