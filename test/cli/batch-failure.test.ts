/**
 * A `put --batch` load stopped by a failed write (a full disk) says which
 * lines are applied and durable and where to resume, as text and as fields of
 * the JSON error; what it says is applied survives a power loss.
 */
import test from 'ava'
import {Readable} from 'node:stream'
import {createStore, open, ErrorCode} from '../../src/index.js'
import {loadBatch} from '../../src/cli/input/ndjson-load.js'
import {CliError} from '../../src/cli/oclif/cli-error.js'
import {reportError} from '../../src/cli/oclif/error-report.js'
import {FaultFileSystem} from '../../src/vfs/fault-fs.js'
import {memRoot} from '../reliability/lib/stores.js'
import {assertJsonError, newStore, strata} from './helpers.js'

const LINES = 30
const input = (): Readable => Readable.from([Array.from({length: LINES}, (_, i) => JSON.stringify({key: `k${String(i + 1).padStart(2, '0')}`, value: `v${i + 1}`})).join('\n') + '\n'])

async function storeOnFaultFs(shards: number): Promise<{fs: FaultFileSystem; dir: string}> {
  const fs = new FaultFileSystem()
  const root = memRoot('batch')
  fs.mkdir(root)
  fs.syncDir('/')
  const dir = `${root}/db`
  await createStore(dir, {fs, shards})
  fs.syncDir(root)
  return {fs, dir}
}

for (const shards of [1, 3]) {
  test(`a full disk mid-load (${shards} shard${shards === 1 ? '' : 's'}): lines before the failing chunk are applied and durable, and the error says where to resume`, async (t) => {
    const {fs, dir} = await storeOnFaultFs(shards)
    // sync 'none', as put --batch opens the store: durability comes from close().
    const s = await open(dir, {fs, sync: 'none'})
    // Chunks of 10 lines: the third chunk's first WAL append fails, and every one after it.
    let chunksApplied = 0
    const onChunk = (): void => {
      if (++chunksApplied === 2) fs.injectFault({at: 1, kinds: ['append'], path: /\.wal$/, code: 'ENOSPC', sticky: true, partialWrite: 0.5})
    }
    const err = await t.throwsAsync(() => loadBatch(input(), s, {chunkRecords: 10, encodings: {key: 'utf8', value: 'utf8'}, onChunk}))
    await s.close()
    t.true(err instanceof CliError)
    const report = reportError(err)
    t.is(report.code, ErrorCode.IO)
    t.is(report.exitCode, 5)
    t.is(report.appliedLines, 20)
    t.is(report.resumeFromLine, 21)
    t.regex(report.hint ?? '', /lines 1-20 were applied and are durable.*line 21/)

    // A power loss now keeps what was synced: lines 1-20 are all there.
    const after = fs.crashImage({mode: 'drop'})
    const r = await open(dir, {fs: after, readOnly: true})
    const keys = [...r.scanSync()].map((kv) => kv.key.toString())
    await r.close()
    const expected = Array.from({length: 20}, (_, i) => `k${String(i + 1).padStart(2, '0')}`)
    t.deepEqual(keys.slice(0, 20), expected)
    // Of the failing chunk at most a part is there (a shard's part is all or nothing), nothing after it.
    t.true(keys.length <= 30)
    t.true(keys.slice(20).every((k) => k >= 'k21' && k <= 'k30'))
  })
}

test('a bad line: the JSON error carries appliedLines and resumeFromLine, and the hint says "nothing was written" once', async (t) => {
  const dir = await newStore(t, 2)
  const lines = ['{"key":"a","value":"1"}', '{"key":"b","value":"2"}', '{"key":"c","vaule":"3"}', '{"key":"d","value":"4"}']
  const r = await strata(['put', '--batch', '-', '--batch-size', '2', '--dir', dir, '--format', 'json'], {input: lines.join('\n') + '\n'})
  const e = assertJsonError(t, r, 'INVALID_ARGUMENT', 2) as ReturnType<typeof assertJsonError> & {appliedLines: number; resumeFromLine: number}
  t.is(e.appliedLines, 2)
  t.is(e.resumeFromLine, 3)
  const first = await strata(['put', '--batch', '-', '--dir', dir], {input: '{"key":"x","vaule":"1"}\n'})
  t.is(first.code, 2)
  t.is(first.stderr.match(/nothing/g)?.length, 1, first.stderr)
})
