/**
 * The S3 object store against a real S3 server: Ceph's RADOS Gateway on
 * 127.0.0.1 (test/helpers/s3-server.ts). Every test works in a bucket of its
 * own; the outage tests stop and restart a gateway of their own.
 */
import test from 'ava'
import {randomBytes} from 'node:crypto'
import * as net from 'node:net'
import {PutObjectCommand} from '@aws-sdk/client-s3'
import {StrataError} from '../../src/errors.js'
import type {ObjectInfo, ObjectStore} from '../../src/objstore/object-store.js'
import type {S3Options} from '../../src/objstore/s3-config.js'
import {openS3Store} from '../../src/objstore/s3-store.js'
import {errCodeAsync} from '../helpers/errors.js'
import {ensureS3Server, freshBucket, ownGateway, s3Client} from '../helpers/s3-server.js'

const enc = (s: string): Uint8Array => new TextEncoder().encode(s)
const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8')

async function listAll(store: ObjectStore, prefix: string): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = []
  for await (const o of store.list(prefix)) out.push(o)
  return out
}

/** A store on a fresh bucket of the test gateway. */
async function freshStore(t: {title: string; teardown(f: () => Promise<void>): void}, prefix = 'replica', options: Partial<S3Options> = {}): Promise<ObjectStore> {
  const {env} = await ensureS3Server()
  const bucket = await freshBucket(t.title.slice(0, 20))
  const store = await openS3Store(`s3://${bucket}/${prefix}`, env, options)
  t.teardown(() => store.close())
  return store
}

test('put, get, getRange, head and delete round-trip an object', async (t) => {
  const s = await freshStore(t)
  t.is(await s.put('cuts/0001.json', enc('hello, object store')), 'written')
  t.is(text(await s.get('cuts/0001.json')), 'hello, object store')
  t.is(text(await s.getRange('cuts/0001.json', 7, 13)), 'object')
  t.is(text(await s.getRange('cuts/0001.json', 15, 100)), 'tore', 'a range past the end returns what exists')
  t.is((await s.getRange('cuts/0001.json', 19, 25)).length, 0)
  t.is((await s.getRange('cuts/0001.json', 3, 3)).length, 0)
  t.deepEqual(await s.head('cuts/0001.json'), {key: 'cuts/0001.json', size: 19})
  t.is(await s.put('cuts/0001.json', enc('replaced')), 'written', 'a plain put overwrites')
  t.is(text(await s.get('cuts/0001.json')), 'replaced')
  await s.delete('cuts/0001.json')
  t.is(await s.head('cuts/0001.json'), undefined)
  await s.delete('cuts/0001.json') // absent: not an error
  t.deepEqual(await listAll(s, ''), [])
})

test('a missing object: get and getRange are NOT_FOUND, head is undefined', async (t) => {
  const s = await freshStore(t)
  t.is(await errCodeAsync(s.get('no/such/key')), 'NOT_FOUND')
  t.is(await errCodeAsync(s.getRange('no/such/key', 0, 10)), 'NOT_FOUND')
  t.is(await errCodeAsync(s.getRange('no/such/key', 4, 4)), 'NOT_FOUND')
  t.is(await s.head('no/such/key'), undefined)
})

test('ifAbsent writes a new key once; on an existing key it answers exists and leaves the object unchanged', async (t) => {
  const s = await freshStore(t)
  t.is(await s.put('lease', enc('first holder'), {ifAbsent: true}), 'written')
  t.is(await s.put('lease', enc('second holder'), {ifAbsent: true}), 'exists')
  t.is(text(await s.get('lease')), 'first holder')
  // Racing conditional writes: exactly one wins.
  const results = await Promise.all([1, 2, 3, 4, 5].map((i) => s.put('race', enc(`writer ${i}`), {ifAbsent: true})))
  t.is(results.filter((r) => r === 'written').length, 1)
  t.is(results.filter((r) => r === 'exists').length, 4)
  t.is(text(await s.get('race')), `writer ${results.indexOf('written') + 1}`)
})

test('list pages through ListObjectsV2: every key below the prefix, in key order, nothing of another prefix', async (t) => {
  const {env} = await ensureS3Server()
  const bucket = await freshBucket('list')
  const s = await openS3Store(`s3://${bucket}/mine/`, env, {listPageSize: 7})
  const other = await openS3Store(`s3://${bucket}/mine-not`, env)
  t.teardown(async () => {
    await s.close()
    await other.close()
  })
  const keys = Array.from({length: 45}, (_, i) => `objects/${String((i * 37) % 45).padStart(3, '0')}`)
  await Promise.all(keys.map((k, i) => s.put(k, new Uint8Array(i))))
  await s.put('cuts/a', enc('x'))
  await other.put('objects/zzz', enc('elsewhere'))
  const listed = await listAll(s, 'objects/')
  t.is(listed.length, 45)
  t.deepEqual(
    listed.map((o) => o.key),
    [...keys].sort(),
  )
  t.is(listed.find((o) => o.key === keys[10])?.size, 10)
  t.deepEqual((await listAll(s, '')).length, 46)
  t.deepEqual(await listAll(s, 'objects/04'), [0, 1, 2, 3, 4].map((d) => listed.find((o) => o.key === `objects/04${d}`)!))
  t.deepEqual(await listAll(other, ''), [{key: 'objects/zzz', size: 9}])
  t.deepEqual(await listAll(s, 'nothing/'), [])
})

test('a 20 MB object round-trips, in one request and in parts', async (t) => {
  const s = await freshStore(t, 'big', {multipartThreshold: 8 * 1024 * 1024, partSize: 5 * 1024 * 1024})
  const body = randomBytes(20 * 1024 * 1024 + 123)
  t.is(await s.put('tables/whole', body, {ifAbsent: true}), 'written') // conditional: one request
  t.is(await s.put('tables/parts', body), 'written') // 5 parts
  for (const key of ['tables/whole', 'tables/parts']) {
    t.true(Buffer.from(await s.get(key)).equals(body), key)
    t.deepEqual(await s.head(key), {key, size: body.length})
    const at = 5 * 1024 * 1024 - 10
    t.true(Buffer.from(await s.getRange(key, at, at + 20)).equals(body.subarray(at, at + 20)), `${key}: a range across a part boundary`)
    // The test server keeps objects in memory: give the space back.
    await s.delete(key)
    t.is(await s.head(key), undefined)
  }
})

test('malformed s3:// URLs and keys are INVALID_ARGUMENT', async (t) => {
  const {env} = await ensureS3Server()
  for (const url of ['s3://', 's3:///prefix', 's3://Upper_Case/p', 's3://ab/p', 's3://-bucket/p', 's3://b..x/p', 's3://bucket/a/../b', 's3://bucket/p?x=1', 'http://bucket/p']) {
    t.is(await errCodeAsync(openS3Store(url, env)), 'INVALID_ARGUMENT', url)
  }
  const s = await freshStore(t)
  for (const key of ['', '/abs', 'a//b', 'a/../b', 'a/./b', 'trailing/']) {
    t.is(await errCodeAsync(s.put(key, enc('x'))), 'INVALID_ARGUMENT', JSON.stringify(key))
    t.is(await errCodeAsync(s.get(key)), 'INVALID_ARGUMENT', JSON.stringify(key))
  }
})

test('a bucket that does not exist is NOT_FOUND at open; refused credentials are IO and the message holds no secret', async (t) => {
  const {env} = await ensureS3Server()
  t.is(await errCodeAsync(openS3Store('s3://strata-no-such-bucket-here/p', env)), 'NOT_FOUND')
  const bucket = await freshBucket('creds')
  const secret = 'wrongSecretKeyThatMustNotLeak0123456789'
  for (const bad of [{AWS_SECRET_ACCESS_KEY: secret}, {AWS_ACCESS_KEY_ID: 'NOSUCHACCESSKEY00000', AWS_SECRET_ACCESS_KEY: secret}]) {
    const err = await t.throwsAsync(openS3Store(`s3://${bucket}/p`, {...env, ...bad}), {instanceOf: StrataError})
    t.is(err?.code, 'IO')
    t.false(err!.message.includes(secret))
    t.false(err!.message.includes('\n'))
  }
})

test('an object written behind the store is read like any other', async (t) => {
  const {env} = await ensureS3Server()
  const bucket = await freshBucket('behind')
  const client = s3Client(env)
  t.teardown(() => client.destroy())
  await client.send(new PutObjectCommand({Bucket: bucket, Key: 'pre/fix/obj', Body: 'from the SDK'}))
  const s = await openS3Store(`s3://${bucket}/pre/fix`, env)
  t.teardown(() => s.close())
  t.is(text(await s.get('obj')), 'from the SDK')
  t.deepEqual(await listAll(s, ''), [{key: 'obj', size: 12}])
})

test('gateway stopped mid-operation: requests fail with IO within a bounded time, and work again after the restart', async (t) => {
  const gw = await ownGateway(1)
  t.teardown(() => gw.stop())
  const bucket = await freshBucket('outage')
  const limits = {maxAttempts: 3, baseDelayMs: 100, connectTimeoutMs: 2000, idleTimeoutMs: 5000, listPageSize: 5}
  const s = await openS3Store(`s3://${bucket}/p`, gw.env, limits)
  t.teardown(() => s.close())
  await Promise.all(Array.from({length: 12}, (_, i) => s.put(`k/${String(i).padStart(2, '0')}`, enc(`v${i}`))))

  // A listing in progress when the gateway goes: the first page arrived, the next cannot.
  const pages = s.list('k/')[Symbol.asyncIterator]()
  t.is((await pages.next()).value?.key, 'k/00')
  const big = randomBytes(24 * 1024 * 1024)
  const upload = s.put('big', big).then(
    (r) => r,
    (err: unknown) => (err instanceof StrataError ? err.code : `foreign error: ${String(err)}`),
  )
  await gw.stop()
  let rest = 'no error'
  try {
    for (let r = await pages.next(); r.done !== true; r = await pages.next());
  } catch (err) {
    rest = err instanceof StrataError ? err.code : String(err)
  }
  t.is(rest, 'IO', 'the listing cannot finish without the gateway')
  // The upload ran into the stop, or finished just before it: either way no partial object.
  const uploaded = await upload
  t.true(uploaded === 'written' || uploaded === 'IO', String(uploaded))

  const started = Date.now()
  const during = await t.throwsAsync(s.get('k/03'), {instanceOf: StrataError})
  t.is(during?.code, 'IO')
  t.true(during!.message.includes(`s3://${bucket}/p/k/03`), during!.message)
  t.true(Date.now() - started < 30_000, 'bounded by attempts x timeouts')
  t.is(await errCodeAsync(s.put('during', enc('x'))), 'IO')

  await gw.start()
  t.is(text(await s.get('k/03')), 'v3')
  t.is((await listAll(s, 'k/')).length, 12)
  const after = await s.head('big')
  if (uploaded === 'written') t.deepEqual(after, {key: 'big', size: big.length})
  else t.true(after === undefined || after.size === big.length, 'an object is whole or absent')
  t.is(await s.put('during', enc('after'), {ifAbsent: true}), 'written')
})

test('a gateway that hangs: each request gives up with IO after its idle timeout, and works once the gateway goes on', async (t) => {
  const gw = await ownGateway(4)
  t.teardown(async () => {
    gw.signal('SIGCONT')
    await gw.stop()
  })
  const bucket = await freshBucket('hang')
  const s = await openS3Store(`s3://${bucket}/p`, gw.env, {maxAttempts: 2, baseDelayMs: 100, connectTimeoutMs: 1000, idleTimeoutMs: 1000})
  t.teardown(() => s.close())
  await s.put('k', enc('before'))
  gw.signal('SIGSTOP')
  const started = Date.now()
  t.is(await errCodeAsync(s.get('k')), 'IO')
  t.is(await errCodeAsync(s.put('big', randomBytes(4 * 1024 * 1024))), 'IO')
  t.true(Date.now() - started < 30_000, 'two requests, each at most 2 attempts of ~1 s idle')
  gw.signal('SIGCONT')
  t.is(text(await s.get('k')), 'before')
})

/**
 * A proxy in front of the gateway that loses the answer to the next
 * `drops` conditional puts: the server has done the write, the client sees
 * its connection reset, as when a network fails at the worst moment.
 */
async function answerLosingProxy(target: string, drops: {n: number}): Promise<{endpoint: string; close(): void}> {
  const {port} = new URL(target)
  const sockets = new Set<net.Socket>()
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port), '127.0.0.1')
    sockets.add(client).add(upstream)
    let lose = false
    client.on('data', (chunk) => {
      if (drops.n > 0 && /^if-none-match:/im.test(chunk.toString('latin1'))) {
        drops.n--
        lose = true
      }
      upstream.write(chunk)
    })
    upstream.on('data', (chunk) => {
      if (lose) {
        client.destroy()
        upstream.destroy()
      } else client.write(chunk)
    })
    for (const s of [client, upstream]) s.on('error', () => {}).on('close', () => (client.destroy(), upstream.destroy()))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    endpoint: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    close: () => {
      for (const s of sockets) s.destroy()
      server.close()
    },
  }
}

test('a conditional put whose answer is lost is retried and recognises its own write; another holder\'s object stays "exists"', async (t) => {
  const {env, endpoint} = await ensureS3Server()
  const bucket = await freshBucket('lost-answer')
  const drops = {n: 0}
  const proxy = await answerLosingProxy(endpoint, drops)
  t.teardown(() => proxy.close())
  const s = await openS3Store(`s3://${bucket}/p`, {...env, AWS_ENDPOINT_URL: proxy.endpoint}, {baseDelayMs: 50})
  t.teardown(() => s.close())

  drops.n = 1
  t.is(await s.put('lease', enc('mine'), {ifAbsent: true}), 'written', 'the retry meets our own object')
  t.is(drops.n, 0, 'an answer was lost')
  t.is(text(await s.get('lease')), 'mine')

  drops.n = 1
  t.is(await s.put('lease', enc('a second holder'), {ifAbsent: true}), 'exists')
  t.is(drops.n, 0, 'an answer was lost')
  t.is(text(await s.get('lease')), 'mine')
})
