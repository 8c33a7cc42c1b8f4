/**
 * How the S3 adapter reaches its server: endpoint, credentials and region
 * from the AWS SDK's standard variables, and the adapter's own limits
 * (retries, timeouts, part sizes), which tests shorten.
 *
 *   AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL   a self-hosted server (Ceph,
 *       MinIO, ...); with one set, requests use path-style addressing
 *       (http://host/bucket/key), which such servers expect.
 *   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (AWS_SESSION_TOKEN)  static keys;
 *       without them the SDK's default chain (profiles, SSO, instance roles).
 *   AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1.
 */

/** The adapter's limits. Every field has a default (S3_DEFAULTS). */
export interface S3Options {
  /** Attempts per request, the first included, on network errors and 5xx. */
  readonly maxAttempts: number
  /** Delay before the second attempt; it doubles each time (with jitter). */
  readonly baseDelayMs: number
  /** Time to open a connection before the attempt fails. */
  readonly connectTimeoutMs: number
  /** Time a request may go without a byte moving before the attempt fails. */
  readonly idleTimeoutMs: number
  /** Bodies at least this large go up as multipart uploads (unless ifAbsent). */
  readonly multipartThreshold: number
  /** The size of each part of a multipart upload (S3's minimum is 5 MiB). */
  readonly partSize: number
  /** Keys per ListObjectsV2 page (S3's maximum is 1000). */
  readonly listPageSize: number
}

export const S3_DEFAULTS: S3Options = {
  maxAttempts: 5,
  baseDelayMs: 200,
  connectTimeoutMs: 5_000,
  idleTimeoutMs: 30_000,
  multipartThreshold: 64 * 1024 * 1024,
  partSize: 16 * 1024 * 1024,
  listPageSize: 1000,
}

/** What the SDK client is built from. */
export interface S3ClientSettings {
  readonly region: string
  readonly endpoint?: string
  readonly forcePathStyle: boolean
  readonly credentials?: {accessKeyId: string; secretAccessKey: string; sessionToken?: string}
}

const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v.trim() === '' ? undefined : v.trim())

/** The client settings `env` describes (see the file comment). */
export function clientSettings(env: NodeJS.ProcessEnv): S3ClientSettings {
  const endpoint = nonEmpty(env.AWS_ENDPOINT_URL_S3) ?? nonEmpty(env.AWS_ENDPOINT_URL)
  const region = nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION) ?? 'us-east-1'
  const accessKeyId = nonEmpty(env.AWS_ACCESS_KEY_ID)
  const secretAccessKey = nonEmpty(env.AWS_SECRET_ACCESS_KEY)
  const sessionToken = nonEmpty(env.AWS_SESSION_TOKEN)
  const credentials =
    accessKeyId !== undefined && secretAccessKey !== undefined
      ? {accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : {sessionToken})}
      : undefined
  return {
    region,
    forcePathStyle: endpoint !== undefined,
    ...(endpoint === undefined ? {} : {endpoint}),
    ...(credentials === undefined ? {} : {credentials}),
  }
}
