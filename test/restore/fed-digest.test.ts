/**
 * `restore --verify full` of a replica large enough for the digest's worker
 * to start (over 8 MiB of files), fed shard by shard as their files are
 * written (src/restore/write-out.ts, ShardFeed; how far the worker gets
 * before the last shard is written depends on timing, and
 * test/digest/view-sums.test.ts checks that it never reads a shard early).
 * The restored store has the source's digest. A table damaged behind its
 * SHA-256 (the cut descriptor rewritten to match, so that only the digest's
 * read of the table can find it) is CORRUPTION naming the table, and OUT
 * does not open as a store.
 */
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {createHash, randomBytes} from 'node:crypto'
import {createStore, digestStore, ErrorCode, open, replicate, restore, StrataError} from '../../src/index.js'
import {tempDir} from '../helpers/temp.js'

test('a full restore digests shards as they are written: the source\'s digest, and a table damaged behind its SHA-256 is CORRUPTION naming it', async (t) => {
  t.timeout(180_000)
  const root = tempDir(t)
  const dir = path.join(root, 'db')
  const replica = path.join(root, 'replica')
  await createStore(dir, {shards: 4})
  const s = await open(dir, {sync: 'none'})
  try {
    // 50,000 records of 240 random bytes: about 13 MB of tables, above the 8 MiB from which the worker helps.
    for (let b = 0; b < 50; b++) {
      await s.batch(Array.from({length: 1000}, (_, i) => ({type: 'put' as const, key: `k${String(b * 1000 + i).padStart(6, '0')}`, value: randomBytes(240)})))
    }
  } finally {
    await s.close()
  }
  const source = await digestStore(dir)
  const shipped = await replicate(dir, replica)
  const cut = shipped.cuts[0]
  t.true(cut.bytes > 8 * 1024 * 1024, `${cut.bytes} bytes shipped`)

  const out = path.join(root, 'out')
  const report = await restore(replica, out)
  t.is(report.verify, 'full')
  t.is(report.digest, source.digest)
  const restored = await digestStore(out)
  t.is(restored.digest, source.digest)
  t.is(restored.records, 50_000)

  // Damage a table of shard 0 (the first the worker is given) and make the descriptor agree with the damaged bytes.
  const descriptorPath = path.join(replica, 'cuts', `${cut.id}.json`)
  const text = fs.readFileSync(descriptorPath, 'utf8')
  const objects = (JSON.parse(text) as {objects: {key: string; path: string; sha256: string}[]}).objects
  const table = objects.find((o) => o.path.startsWith('shard-0000') && o.path.endsWith('.sst'))
  if (table === undefined) return t.fail('shard 0 shipped no table')
  const objectPath = path.join(replica, ...table.key.split('/'))
  const bytes = fs.readFileSync(objectPath)
  bytes[100] ^= 0x40
  fs.writeFileSync(objectPath, bytes)
  const sha = createHash('sha256').update(bytes).digest('hex')
  t.true(text.includes(table.sha256))
  fs.writeFileSync(descriptorPath, text.replace(table.sha256, sha))

  const damagedOut = path.join(root, 'damaged')
  const e = await t.throwsAsync(restore(replica, damagedOut), {instanceOf: StrataError})
  t.is(e?.code, ErrorCode.CORRUPTION)
  t.true(e?.file?.endsWith(path.basename(table.path)), `${e?.message} (file ${e?.file})`)
  const reopened = await t.throwsAsync(open(damagedOut, {readOnly: true}), {instanceOf: StrataError})
  t.is(reopened?.code, ErrorCode.NOT_A_STORE)
})
