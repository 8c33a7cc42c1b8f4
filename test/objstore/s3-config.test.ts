/**
 * The S3 adapter's pure parts: URL parsing, settings from the AWS_*
 * variables, and which failures are retried (no server needed).
 */
import test from 'ava'
import {clientSettings} from '../../src/objstore/s3-config.js'
import {isConditionFailed, isNotFoundError, isRetryable, s3IoError} from '../../src/objstore/s3-errors.js'
import {parseS3Url} from '../../src/objstore/s3-url.js'
import {errCode} from '../helpers/errors.js'

const sdkError = (name: string, status?: number): Error =>
  Object.assign(new Error('server text with AKIDEXAMPLE and a signature'), {name, ...(status === undefined ? {} : {$metadata: {httpStatusCode: status}})})

test('s3:// URLs: bucket and prefix, the prefix normalised to end with one slash', (t) => {
  t.deepEqual(parseS3Url('s3://my-bucket'), {bucket: 'my-bucket', prefix: ''})
  t.deepEqual(parseS3Url('s3://my-bucket/'), {bucket: 'my-bucket', prefix: ''})
  t.deepEqual(parseS3Url('s3://my.bucket.1/a/b'), {bucket: 'my.bucket.1', prefix: 'a/b/'})
  t.deepEqual(parseS3Url('S3://abc//a//b/'), {bucket: 'abc', prefix: 'a/b/'})
  for (const bad of ['s3:/x', 's3://', 's3://x', 's3://UPPER', 's3://under_score', 's3://192.168.1.1/p', `s3://${'a'.repeat(64)}`, 's3://abc/a/./b', 's3://abc/a\\b']) {
    t.is(errCode(() => parseS3Url(bad)), 'INVALID_ARGUMENT', bad)
  }
})

test('settings: AWS_ENDPOINT_URL_S3 before AWS_ENDPOINT_URL, path style only with an endpoint, us-east-1 by default', (t) => {
  t.deepEqual(clientSettings({}), {region: 'us-east-1', forcePathStyle: false})
  t.deepEqual(clientSettings({AWS_DEFAULT_REGION: 'eu-west-3'}).region, 'eu-west-3')
  t.deepEqual(clientSettings({AWS_REGION: 'ap-south-1', AWS_DEFAULT_REGION: 'eu-west-3'}).region, 'ap-south-1')
  const s = clientSettings({AWS_ENDPOINT_URL: 'http://a:1', AWS_ENDPOINT_URL_S3: 'http://s3:2', AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's'})
  t.deepEqual(s, {region: 'us-east-1', forcePathStyle: true, endpoint: 'http://s3:2', credentials: {accessKeyId: 'k', secretAccessKey: 's'}})
  t.is(clientSettings({AWS_ENDPOINT_URL: 'http://a:1'}).endpoint, 'http://a:1')
  t.is(clientSettings({AWS_ACCESS_KEY_ID: 'k'}).credentials, undefined, 'half a key pair leaves the SDK its default chain')
})

test('retries: network errors, 5xx and 429 are retried; other 4xx are final', (t) => {
  t.true(isRetryable(Object.assign(new Error('refused'), {code: 'ECONNREFUSED'})))
  t.true(isRetryable(sdkError('TimeoutError')))
  t.true(isRetryable(sdkError('ServiceUnavailable', 503)))
  t.true(isRetryable(sdkError('SlowDown', 429)))
  t.true(isRetryable(sdkError('RequestTimeout', 400)))
  for (const [name, status] of [['AccessDenied', 403], ['NoSuchKey', 404], ['PreconditionFailed', 412], ['InvalidRange', 416]] as const) {
    t.false(isRetryable(sdkError(name, status)), name)
  }
  t.false(isRetryable(sdkError('CredentialsProviderError')))
  t.true(isConditionFailed(sdkError('PreconditionFailed', 412)))
  t.true(isConditionFailed(sdkError('ConditionalRequestConflict', 409)))
  t.false(isConditionFailed(sdkError('InternalError', 500)))
  t.true(isNotFoundError(sdkError('NoSuchKey', 404)))
  t.true(isNotFoundError(sdkError('NotFound', 404)))
  t.false(isNotFoundError(sdkError('NoSuchBucket', 404)))
})

test('an IO error names the URL and key in one line and never repeats the SDK text', (t) => {
  const e = s3IoError('s3://b/p/', 'get', 'cuts/1.json', sdkError('InvalidAccessKeyId', 403), 1)
  t.is(e.code, 'IO')
  t.true(e.message.startsWith('get s3://b/p/cuts/1.json: access denied'), e.message)
  t.false(e.message.includes('AKIDEXAMPLE'))
  t.false(e.message.includes('\n'))
  t.regex(s3IoError('s3://b', 'put', 'k', Object.assign(new Error('x'), {code: 'ECONNRESET'}), 5).message, /ECONNRESET .*after 5 attempts/)
})
