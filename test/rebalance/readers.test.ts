/**
 * Readers in another process during rebalances: a loop of scans and
 * digests never fails and always sees exactly the store's data (one
 * generation, never a mix), while rebalances switch generations under it
 * and delete the old folders.
 */
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {spawn} from 'node:child_process'
import {rebalance} from '../../src/index.js'
import {repoRoot} from '../helpers/temp.js'
import {digestOf, filledStore, valueOf} from './helpers.js'

const reader = path.join(repoRoot, 'dist', 'test', 'rebalance', 'reader-loop.js')
const KEYS = 4000

interface ReadResult {
  kind: 'scan' | 'digest'
  ok: boolean
  keys?: number
  sum?: number
  digest?: string
  shards?: number
  error?: string
}

test('scans and digests in another process never fail and never see a mix while rebalances switch generations', async (t) => {
  const dir = await filledStore(t, 4, KEYS)
  const digest = await digestOf(dir)
  let sum = 0
  for (let i = 0; i < KEYS; i++) sum += Buffer.byteLength(valueOf(i))
  const stop = path.join(path.dirname(dir), 'stop')
  const logPath = path.join(path.dirname(dir), 'reads.ndjson')
  const child = spawn(process.execPath, [reader, dir, stop, logPath], {stdio: ['ignore', 'pipe', 'inherit']})
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()))
  const plan = [5, 3, 6, 2, 4, 7, 4]
  for (const to of plan) {
    const r = await rebalance(dir, {shards: to})
    t.is(r.action, 'rebalanced')
    t.is(r.digestAfter, digest)
  }
  fs.writeFileSync(stop, '')
  t.is(await exited, 0)
  const results = fs.readFileSync(logPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ReadResult)
  t.true(results.length >= 2, `the reader read ${results.length} times`)
  const failed = results.filter((r) => !r.ok)
  t.deepEqual(failed, [], 'failed reads')
  for (const r of results) {
    t.is(r.keys, KEYS, `${r.kind} saw ${r.keys} keys: ${JSON.stringify(r)}`)
    if (r.kind === 'scan') t.is(r.sum, sum)
    else t.is(r.digest, digest)
  }
  t.log(`reads: ${results.length}; shard counts seen: ${[...new Set(results.map((r) => r.shards))].join(', ')}`)
})
