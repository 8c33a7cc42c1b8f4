/**
 * Large objects go up as multipart uploads: create, one UploadPart per
 * `partSize` bytes (each with Content-MD5, each retried on its own), then
 * complete. S3 publishes the object only on completion, so a reader still
 * sees no object or the whole one; a failed upload is aborted so that its
 * parts do not linger (a server that is down at that moment keeps them until
 * its lifecycle rules remove them, and no listing ever shows them as objects).
 */
import {createHash} from 'node:crypto'
import type {S3Client} from '@aws-sdk/client-s3'
import type {S3Sdk, S3Store} from './s3-store.js'

/** base64 MD5 of `body`, for Content-MD5. */
export function md5(body: Uint8Array): string {
  return createHash('md5').update(body).digest('base64')
}

/** One upload. */
export interface MultipartUpload {
  readonly Bucket: string
  /** The full key in the bucket. */
  readonly Key: string
  /** The key as the caller named it, for messages. */
  readonly key: string
  readonly body: Uint8Array
  readonly partSize: number
}

/** Uploads `u.body` in parts; see the file comment. */
export async function putMultipart(store: S3Store, sdk: S3Sdk, client: S3Client, u: MultipartUpload): Promise<void> {
  const {Bucket, Key} = u
  const created = await store.call('put', u.key, () => client.send(new sdk.CreateMultipartUploadCommand({Bucket, Key})))
  const UploadId = created.UploadId
  if (UploadId === undefined) throw Object.assign(new Error('no upload id'), {$metadata: {httpStatusCode: 500}})
  try {
    const Parts: {ETag: string; PartNumber: number}[] = []
    for (let at = 0, PartNumber = 1; at < u.body.length; at += u.partSize, PartNumber++) {
      const Body = u.body.subarray(at, Math.min(at + u.partSize, u.body.length))
      const res = await store.call('put', u.key, () =>
        client.send(new sdk.UploadPartCommand({Bucket, Key, UploadId, PartNumber, Body, ContentLength: Body.length, ContentMD5: md5(Body)})),
      )
      Parts.push({ETag: res.ETag ?? '', PartNumber})
    }
    await store.call('put', u.key, () => client.send(new sdk.CompleteMultipartUploadCommand({Bucket, Key, UploadId, MultipartUpload: {Parts}})))
  } catch (err) {
    await client.send(new sdk.AbortMultipartUploadCommand({Bucket, Key, UploadId})).catch(() => undefined)
    throw err
  }
}
