/**
 * `strata serve --replica-of s3://…`: a read replica following a replica on
 * a real S3 server (Ceph's RADOS Gateway, test/helpers/s3-server.ts) that
 * `strata replicate` ships to: it serves the first cut, applies the next
 * one (downloading only its new objects), and reaches the primary's digest.
 */
import test from 'ava'
import * as path from 'node:path'
import {strata} from '../helpers/cli.js'
import {tempDir} from '../helpers/temp.js'
import {ensureS3Server, freshBucket} from '../helpers/s3-server.js'
import {buildStore, digestOf, expectExit, putSome} from '../replicate/helpers.js'
import {errorOf, startServe} from './helpers.js'

interface ReplicaStats {
  source: string
  cut: string
  lagMs: number
  reusedObjects: number | null
  status: string
}

test('a replica of an S3 replica serves each cut the primary ships, and refuses writes naming the S3 source', async (t) => {
  t.timeout(240_000)
  const {env} = await ensureS3Server()
  const url = `s3://${await freshBucket('replica-serve')}/replicas/db`
  const root = tempDir(t)
  const primary = path.join(root, 'primary')
  await buildStore(primary, 8)
  await putSome(primary, ['k1'])
  expectExit(strata(['replicate', '--dir', primary, url], {env}), 0, 'replicate')

  const replica = await startServe(t, path.join(root, 'local'), ['--replica-of', url, '--interval', '200ms'], env)
  const stats = async (): Promise<ReplicaStats> => ((await (await fetch(`${replica.url}/stats`)).json()) as {replica: ReplicaStats}).replica
  const first = await stats()
  t.is(first.source, url)
  t.is(first.cut, '000000000001')
  t.is(await (await fetch(`${replica.url}/kv/k1`)).text(), 'value of k1')
  const refused = await errorOf(t, await fetch(`${replica.url}/kv/k2`, {method: 'PUT', body: 'x'}), 405, 'INVALID_ARGUMENT')
  t.is(refused.source, url)

  await putSome(primary, ['k2'])
  expectExit(strata(['replicate', '--dir', primary, url], {env}), 0, 'replicate')
  const until = Date.now() + 90_000
  let now = await stats()
  while (now.cut !== '000000000002' && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100))
    now = await stats()
  }
  t.is(now.cut, '000000000002', replica.stderr())
  t.is(now.status, 'ok')
  t.true(now.lagMs >= 0)
  t.true(now.reusedObjects! > 0, 'what cut 1 held was not downloaded again')
  t.is(await (await fetch(`${replica.url}/kv/k2`)).text(), 'value of k2')
  const served = (await (await fetch(`${replica.url}/digest`)).json()) as {digest: string}
  t.is(served.digest, await digestOf(primary))
  t.is((await replica.stop('SIGTERM')).code, 0, replica.stderr())
})
