/**
 * The name of an S3 destination: `s3://BUCKET` or `s3://BUCKET/PREFIX`.
 * BUCKET follows S3's rules for bucket names (3 to 63 characters: lower-case
 * letters, digits, dots and hyphens, starting and ending with a letter or
 * digit). PREFIX is a `/`-separated path inside the bucket under which every
 * key of the destination lives; it is stored with one trailing `/` (or empty),
 * so `s3://b/p` and `s3://b/p/` name the same destination.
 */
import {invalidArgument} from '../errors.js'

/** A parsed `s3://` URL. */
export interface S3Location {
  readonly bucket: string
  /** '' or a path ending with '/'. */
  readonly prefix: string
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/
const HINT = 'write s3://bucket or s3://bucket/prefix (bucket: 3-63 lower-case letters, digits, dots or hyphens)'

/** Parses `url`; INVALID_ARGUMENT when it is not a well-formed `s3://` name. */
export function parseS3Url(url: string): S3Location {
  const m = /^s3:\/\/([^/]*)(?:\/(.*))?$/i.exec(url)
  if (m === null) throw invalidArgument(`${url} is not an s3:// URL`, HINT)
  const bucket = m[1]!
  if (bucket === '') throw invalidArgument(`${url} names no bucket`, HINT)
  if (!BUCKET.test(bucket) || bucket.includes('..') || /^\d+\.\d+\.\d+\.\d+$/.test(bucket)) {
    throw invalidArgument(`${url}: ${JSON.stringify(bucket)} is not a valid bucket name`, HINT)
  }
  const parts = (m[2] ?? '').split('/').filter((p) => p !== '')
  if (parts.some((p) => p === '.' || p === '..') || /[\0-\x1f\x7f\\?#]/.test(m[2] ?? '')) {
    throw invalidArgument(`${url}: the prefix must be a plain path (no '.', '..', control characters, '\\', '?' or '#')`, HINT)
  }
  return {bucket, prefix: parts.length === 0 ? '' : parts.join('/') + '/'}
}

/** Throws INVALID_ARGUMENT unless `key` is a clean relative object name. */
export function checkS3Key(key: string): void {
  const parts = key.split('/')
  if (key === '' || parts.some((p) => p === '' || p === '.' || p === '..') || /[\0\\]/.test(key)) {
    throw invalidArgument(`bad object key ${JSON.stringify(key)}`)
  }
}
