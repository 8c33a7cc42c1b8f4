/**
 * Opening a destination by the name a user gives: a plain path or a
 * `file://` URL is a directory (dir-store.ts); `s3://bucket/prefix` is an
 * S3-compatible bucket, whose adapter (and the AWS SDK behind it) is loaded
 * only here, on first use, so that no other command pays for it.
 */
import {fileURLToPath} from 'node:url'
import {ErrorCode, StrataError, invalidArgument} from '../errors.js'
import type {FileSystem} from '../vfs/fs.js'
import {DirStore} from './dir-store.js'
import type {ObjectStore} from './object-store.js'

export interface OpenObjectStoreOptions {
  /** Where S3 credentials, region and endpoint are read from (the AWS_* variables). Default process.env. */
  readonly env?: NodeJS.ProcessEnv
  /** The filesystem of a directory destination. Default the real one. */
  readonly fs?: FileSystem
}

/** Whether `url` names an S3 bucket rather than a directory. */
export function isS3Url(url: string): boolean {
  return /^s3:\/\//i.test(url)
}

/** The destination `url` names; see the file comment. INVALID_ARGUMENT for a malformed or unknown URL. */
export async function openObjectStore(url: string, options: OpenObjectStoreOptions = {}): Promise<ObjectStore> {
  if (url.trim() === '') throw invalidArgument('the destination is empty', 'give a directory, file:///path or s3://bucket/prefix')
  if (isS3Url(url)) {
    const {openS3Store} = await import('./s3-store.js')
    return openS3Store(url, options.env ?? process.env)
  }
  let dir = url
  if (/^file:/i.test(url)) {
    try {
      dir = fileURLToPath(url)
    } catch {
      throw invalidArgument(`${url} is not a valid file:// URL`, 'write file:///absolute/path, or a plain path')
    }
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    throw invalidArgument(`${url}: unknown destination scheme`, 'give a directory, file:///path or s3://bucket/prefix')
  }
  return new DirStore(dir, options.fs, url)
}
