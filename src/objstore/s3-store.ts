/**
 * An object store in an S3-compatible bucket (`s3://bucket/prefix`), through
 * the official AWS SDK for JavaScript v3. This module is loaded only by
 * open.ts, on first use of an `s3://` destination, and loads the SDK itself
 * only inside openS3Store, so no other command's start-up pays for it.
 *
 * Contract details beyond object-store.ts:
 *   - openS3Store checks the bucket (HeadBucket): a bucket that does not
 *     exist is NOT_FOUND, refused credentials are IO, a malformed URL is
 *     INVALID_ARGUMENT (before the SDK is even loaded). A bucket deleted
 *     later makes each request fail with IO.
 *   - put with ifAbsent sends `If-None-Match: *`; the server's 412 (or 409,
 *     another conditional write on the key in flight) resolves to 'exists'.
 *     Every put carries Content-MD5, so the server refuses a body damaged on
 *     the way. Bodies of at least `multipartThreshold` bytes go up in parts
 *     (s3-multipart.ts), except conditional ones, which stay single requests.
 *   - getRange sends a Range header; like a file, a range past the end
 *     returns the bytes that exist (possibly none).
 *   - Network errors and 5xx are retried with backoff (s3-errors.ts), then
 *     fail with one IO line naming the URL and key; each attempt is bounded
 *     by a connect timeout and an idle timeout, so a stopped or hung server
 *     cannot hold a command forever.
 */
import type {S3Client} from '@aws-sdk/client-s3'
import {ErrorCode, StrataError, invalidArgument} from '../errors.js'
import type {ObjectInfo, ObjectStore, PutOptions} from './object-store.js'
import {S3_DEFAULTS, type S3Options, clientSettings} from './s3-config.js'
import {S3Failure, codeOf, isConditionFailed, isNotFoundError, s3IoError, statusOf, withRetries} from './s3-errors.js'
import {md5, putMultipart} from './s3-multipart.js'
import {type S3Location, checkS3Key, parseS3Url} from './s3-url.js'
import {quietSdk} from './s3-quiet.js'

/** The SDK module, as loaded. */
export type S3Sdk = typeof import('@aws-sdk/client-s3')

/** Opens `s3://bucket/prefix` with the endpoint and credentials `env` names (see s3-config.ts). */
export async function openS3Store(url: string, env: NodeJS.ProcessEnv, options: Partial<S3Options> = {}): Promise<ObjectStore> {
  const location = parseS3Url(url)
  const limits: S3Options = {...S3_DEFAULTS, ...options}
  quietSdk()
  const sdk: S3Sdk = await import('@aws-sdk/client-s3')
  const settings = clientSettings(env)
  const client = new sdk.S3Client({
    ...settings,
    // Retries are ours (s3-errors.ts): one attempt per SDK call.
    maxAttempts: 1,
    // Integrity is checked by Content-MD5 on upload and by the callers' SHA-256;
    // the newer flexible checksums are not understood by every S3 server.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: {connectionTimeout: limits.connectTimeoutMs, socketTimeout: limits.idleTimeoutMs},
    logger: {debug() {}, info() {}, warn() {}, error() {}},
  })
  const store = new S3Store(url, sdk, client, location, limits)
  try {
    await store.checkBucket()
  } catch (err) {
    await store.close()
    throw err
  }
  return store
}

/** See the file comment. */
export class S3Store implements ObjectStore {
  private closed = false

  constructor(
    readonly url: string,
    private readonly sdk: S3Sdk,
    private readonly client: S3Client,
    private readonly location: S3Location,
    private readonly options: S3Options,
  ) {}

  private get bucket(): string {
    return this.location.bucket
  }

  private fullKey(key: string): string {
    checkS3Key(key)
    return this.location.prefix + key
  }

  /** Runs one request with retries; the final failure becomes a StrataError naming `key`. */
  async call<T>(op: string, key: string, attempt: (n: number) => Promise<T>): Promise<T> {
    if (this.closed) throw new StrataError(ErrorCode.CLOSED, `${this.url} is closed`)
    try {
      return await withRetries(this.options, attempt)
    } catch (err) {
      if (err instanceof S3Failure) throw s3IoError(this.url, op, key, err.error, err.attempts)
      throw err
    }
  }

  /** NOT_FOUND unless the bucket exists and these credentials reach it. */
  async checkBucket(): Promise<void> {
    await this.call('open', '', async () => {
      try {
        await this.client.send(new this.sdk.HeadBucketCommand({Bucket: this.bucket}))
      } catch (err) {
        if (statusOf(err) === 404) {
          throw new StrataError(ErrorCode.NOT_FOUND, `${this.url}: bucket ${this.bucket} does not exist`, {hint: 'create the bucket first'})
        }
        throw err
      }
    })
  }

  async put(key: string, body: Uint8Array, options: PutOptions = {}): Promise<'written' | 'exists'> {
    const Key = this.fullKey(key)
    if (options.ifAbsent !== true && body.length >= this.options.multipartThreshold) {
      await putMultipart(this, this.sdk, this.client, {Bucket: this.bucket, Key, key, body, partSize: this.options.partSize})
      return 'written'
    }
    const ContentMD5 = md5(body)
    return this.call('put', key, async (n) => {
      try {
        await this.client.send(
          new this.sdk.PutObjectCommand({Bucket: this.bucket, Key, Body: body, ContentLength: body.length, ContentMD5, ...(options.ifAbsent === true ? {IfNoneMatch: '*'} : {})}),
        )
        return 'written'
      } catch (err) {
        if (options.ifAbsent !== true || !isConditionFailed(err)) throw err
        // A retry can meet its own earlier attempt, which reached the server
        // though its answer was lost: the same bytes there mean we wrote them.
        if (n > 1 && (await this.sameBytes(Key, body))) return 'written'
        return 'exists'
      }
    })
  }

  private async sameBytes(Key: string, body: Uint8Array): Promise<boolean> {
    try {
      const res = await this.client.send(new this.sdk.GetObjectCommand({Bucket: this.bucket, Key}))
      const bytes = await readBody(res)
      return Buffer.from(bytes).equals(Buffer.from(body.buffer, body.byteOffset, body.byteLength))
    } catch {
      return false
    }
  }

  async get(key: string): Promise<Uint8Array> {
    const Key = this.fullKey(key)
    return this.call('get', key, async () => {
      try {
        return await readBody(await this.client.send(new this.sdk.GetObjectCommand({Bucket: this.bucket, Key})))
      } catch (err) {
        throw this.absent(err, key)
      }
    })
  }

  async getRange(key: string, start: number, end: number): Promise<Uint8Array> {
    const Key = this.fullKey(key)
    if (!(Number.isSafeInteger(start) && Number.isSafeInteger(end) && start >= 0 && end >= start)) {
      throw invalidArgument(`bad range [${start}, ${end}) of ${key}`)
    }
    if (start === end) {
      if ((await this.head(key)) === undefined) throw this.absent(undefined, key)
      return new Uint8Array(0)
    }
    return this.call('get', key, async () => {
      try {
        return await readBody(await this.client.send(new this.sdk.GetObjectCommand({Bucket: this.bucket, Key, Range: `bytes=${start}-${end - 1}`})))
      } catch (err) {
        // 416: the object exists but starts before `start`.
        if (statusOf(err) === 416 || codeOf(err) === 'InvalidRange') return new Uint8Array(0)
        throw this.absent(err, key)
      }
    })
  }

  /** NOT_FOUND for a missing object; any other error unchanged. */
  private absent(err: unknown, key: string): unknown {
    if (err !== undefined && !isNotFoundError(err)) return err
    return new StrataError(ErrorCode.NOT_FOUND, `object ${key} is missing from ${this.url}`, {file: `${this.url.replace(/\/+$/, '')}/${key}`})
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const Key = this.fullKey(key)
    return this.call('head', key, async () => {
      try {
        const res = await this.client.send(new this.sdk.HeadObjectCommand({Bucket: this.bucket, Key}))
        return {key, size: res.ContentLength ?? 0}
      } catch (err) {
        if (isNotFoundError(err)) return undefined
        throw err
      }
    })
  }

  async delete(key: string): Promise<void> {
    const Key = this.fullKey(key)
    await this.call('delete', key, async () => {
      try {
        await this.client.send(new this.sdk.DeleteObjectCommand({Bucket: this.bucket, Key}))
      } catch (err) {
        if (!isNotFoundError(err)) throw err
      }
    })
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    const Prefix = this.location.prefix + prefix
    const strip = this.location.prefix.length
    let token: string | undefined
    do {
      const page = await this.call('list', prefix, () =>
        this.client.send(
          new this.sdk.ListObjectsV2Command({Bucket: this.bucket, Prefix, MaxKeys: this.options.listPageSize, ...(token === undefined ? {} : {ContinuationToken: token})}),
        ),
      )
      for (const o of page.Contents ?? []) {
        if (o.Key !== undefined) yield {key: o.Key.slice(strip), size: o.Size ?? 0}
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined
    } while (token !== undefined)
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.client.destroy()
  }
}

/** The whole body of a GetObject response; a body cut short is a (retryable) network error. */
async function readBody(res: {Body?: {transformToByteArray(): Promise<Uint8Array>}; ContentLength?: number}): Promise<Uint8Array> {
  const bytes = res.Body === undefined ? new Uint8Array(0) : await res.Body.transformToByteArray()
  if (res.ContentLength !== undefined && bytes.length !== res.ContentLength) {
    throw Object.assign(new Error('response body cut short'), {code: 'ETRUNCATED'})
  }
  return bytes
}
