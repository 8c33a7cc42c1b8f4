/**
 * `importNdjson` stopped by a bad line in the middle: the ImportError names
 * the line to resume from and the lines applied; the chunks before the bad
 * line's are applied and durable once the store is closed, nothing of its
 * chunk or after is written; and resuming from that line completes the load.
 */
import test from 'ava'
import * as path from 'node:path'
import {Readable} from 'node:stream'
import {createStore, digestStore, ErrorCode, ImportError, importNdjson, open} from '../../src/index.js'
import {tempDir} from '../helpers/temp.js'

const line = (i: number): string => JSON.stringify({key: `k${String(i).padStart(3, '0')}`, value: `v${i}`})
const LINES = Array.from({length: 40}, (_, i) => line(i + 1))
/** Line 27 (1-based) is bad: a misspelt field. */
const BAD = 27
const withBadLine = (): string[] => LINES.map((l, i) => (i + 1 === BAD ? '{"key":"k027","vaule":"v27"}' : l))

for (const parallel of [false, true]) {
  test(`a bad line mid-input stops the import at its chunk and says where to resume${parallel ? ' (parsed on a worker thread)' : ''}`, async (t) => {
    const root = tempDir(t)
    const dir = path.join(root, 'db')
    await createStore(dir, {shards: 3})
    const file = path.join(root, 'in.ndjson')
    const fs = await import('node:fs')
    fs.writeFileSync(file, withBadLine().join('\n') + '\n')
    // Chunks of 10 lines: lines 1-20 are two chunks; the bad line is in the third (21-30).
    const err = await t.throwsAsync(importNdjson(dir, parallel ? {file} : fs.createReadStream(file), {chunkRecords: 10, parallel}))
    t.true(err instanceof ImportError)
    const e = err as ImportError
    t.is(e.code, ErrorCode.INVALID_ARGUMENT)
    t.regex(e.message, new RegExp(`^line ${BAD}: `))
    t.is(e.appliedLines, 20)
    t.is(e.resumeFromLine, 21)
    t.true(e.badLine)
    t.deepEqual(e.applied, {puts: 20, deletes: 0, expired: 0, lines: 20, chunks: 2})
    t.regex(e.hint ?? '', /lines 1-20 were applied .*load again from line 21$/)

    // The store was closed by the import: reopen and find exactly lines 1-20.
    const s = await open(dir, {readOnly: true})
    const keys = [...s.scanSync()].map((kv) => kv.key.toString())
    await s.close()
    t.deepEqual(keys, Array.from({length: 20}, (_, i) => `k${String(i + 1).padStart(3, '0')}`))

    // Resuming from line 21 with the line fixed completes the load.
    const rest = LINES.slice(e.resumeFromLine - 1)
    const r = await importNdjson(dir, Readable.from([rest.join('\n') + '\n']), {chunkRecords: 10})
    t.is(r.puts, LINES.length - 20)
    const d = await digestStore(dir)
    t.is(d.records, LINES.length)
  })
}

test('a bad first chunk writes nothing and resumes from line 1', async (t) => {
  const dir = path.join(tempDir(t), 'db')
  await createStore(dir, {shards: 2})
  const input = [line(1), '{"key":"x","value":3}', line(3)].join('\n')
  const err = await t.throwsAsync(importNdjson(dir, Readable.from([input]), {chunkRecords: 10}))
  t.true(err instanceof ImportError)
  t.like(err as ImportError, {appliedLines: 0, resumeFromLine: 1, badLine: true, code: ErrorCode.INVALID_ARGUMENT})
  t.is((await digestStore(dir)).records, 0)
})
