/**
 * The library's bulk I/O: `exportLive` writes a store's live records as
 * NDJSON that `importNdjson` loads into a store of another shard count as
 * the same data (the same digest), and its lines are those of
 * `strata dump --latest --format ndjson`.
 */
import test from 'ava'
import * as path from 'node:path'
import {PassThrough, Readable} from 'node:stream'
import {createStore, digestStore, exportLive, importNdjson, open} from '../../src/index.js'
import {buildRichStore, READ_CLOCK} from '../helpers/rich-store.js'
import {strata} from '../helpers/cli.js'
import {tempDir} from '../helpers/temp.js'

/** Everything `exportLive` writes, as text. */
async function exported(source: Parameters<typeof exportLive>[0], options: Parameters<typeof exportLive>[2]): Promise<{text: string; records: number}> {
  const out = new PassThrough()
  const chunks: Buffer[] = []
  out.on('data', (c: Buffer) => chunks.push(c))
  const {records} = await exportLive(source, out, options)
  out.end()
  return {text: Buffer.concat(chunks).toString('utf8'), records}
}

const BYTES = {key: 'base64', value: 'base64'} as const

test('a store exported and imported into a store with another shard count has the same digest', async (t) => {
  const root = tempDir(t)
  const src = path.join(root, 'src')
  await buildRichStore(src, {compression: 'zlib', shards: 3})
  const {text, records} = await exported(src, {encodings: BYTES, at: READ_CLOCK})
  const lines = text.split('\n').filter((l) => l !== '')
  t.is(lines.length, records)
  t.true(records > 300, `${records} records`)

  const copy = path.join(root, 'copy')
  await createStore(copy, {shards: 5})
  const result = await importNdjson(copy, Readable.from([text]), {encodings: BYTES, chunkRecords: 64, now: () => READ_CLOCK})
  t.is(result.puts, records)
  t.is(result.deletes, 0)
  t.is(result.lines, records)
  t.is(result.chunks, Math.ceil(records / 64))

  const before = await digestStore(src, {at: READ_CLOCK})
  const after = await digestStore(copy, {at: READ_CLOCK})
  t.is(before.records, records)
  t.is(after.records, records)
  t.is(after.shardCount, 5)
  t.is(after.digest, before.digest)
})

test('the export is the lines of dump --latest --format ndjson, for a range too', async (t) => {
  const root = tempDir(t)
  const src = path.join(root, 'src')
  // Written now, so that the CLI (which reads the clock) and the export judge expiry alike.
  const now = Date.now()
  await buildRichStore(src, {compression: 'none', shards: 2, now})
  const dump = strata(['dump', src, '--latest', '--format', 'ndjson', '--key-encoding', 'hex'])
  t.is(dump.code, 0, dump.stderr)
  const all = await exported(src, {encodings: {key: 'hex', value: 'utf8'}, at: Date.now()})
  t.true(all.records > 100)
  t.is(all.text, dump.stdout)

  const ranged = await exported(src, {prefix: 'user:00', at: Date.now()})
  const expected = dump.stdout.split('\n').filter((l) => l.startsWith('{"key":"757365723a3030'))
  t.true(expected.length > 0)
  t.is(ranged.records, expected.length)
  t.deepEqual(ranged.text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l).seq), expected.map((l) => JSON.parse(l).seq))
})

test('an export of a held cut leaves out writes made after the cut', async (t) => {
  const dir = path.join(tempDir(t), 'db')
  await createStore(dir, {shards: 2})
  const s = await open(dir)
  await s.put('a', '1')
  await s.put('b', '2')
  const cut = s.cut()
  await s.put('c', '3')
  await s.delete('a')
  try {
    const atCut = await exported(cut, {})
    t.deepEqual(atCut.text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l).key), ['a', 'b'])
    const live = await exported(s, {})
    t.deepEqual(live.text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l).key), ['b', 'c'])
  } finally {
    await cut.release()
    await s.close()
  }
})
