/**
 * put --batch parsed on a worker thread (loadBatch `parallel`) against the
 * same load parsed on the main thread: the same chunks reach the store, and a
 * bad line gives the same error, hint and partial result. Plus the packed
 * form chunks cross the thread boundary in.
 */
import test from 'ava'
import fc from 'fast-check'
import {Readable} from 'node:stream'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {createStore, ErrorCode, open, StrataError, type BatchOp} from '../../src/index.js'
import {CliError, loadBatch} from '../../src/cli/index.js'
import {packOps, unpackOps} from '../../src/bulk/pack.js'
import {strata, tempDir} from './helpers.js'

const enc = {key: 'utf8', value: 'utf8'} as const

/** A store that records each chunk as text, and optionally fails on one. */
function recorder(failOn?: number): {store: {batch: (ops: readonly BatchOp[]) => Promise<void>}; chunks: string[][]} {
  const chunks: string[][] = []
  return {
    chunks,
    store: {
      batch: async (ops) => {
        if (chunks.length === failOn) throw new StrataError(ErrorCode.IO, 'disk on fire')
        chunks.push(ops.map((o) => JSON.stringify({...o, key: Buffer.from(o.key as Uint8Array).toString('hex'), ...(o.type === 'put' ? {value: Buffer.from(o.value as Uint8Array).toString('hex')} : {})})))
      },
    },
  }
}

async function outcome(input: Buffer, chunkRecords: number, parallel: boolean, failOn?: number) {
  const {store, chunks} = recorder(failOn)
  // Cut the input into pieces, as a stream would deliver it.
  const pieces: Buffer[] = []
  for (let i = 0; i < input.length; i += 37) pieces.push(input.subarray(i, i + 37))
  try {
    const result = await loadBatch(Readable.from(pieces), store, {chunkRecords, encodings: enc, parallel})
    return {result, chunks}
  } catch (err) {
    const e = err as CliError | StrataError
    return {error: {name: e.name, code: e.code, message: e.message, hint: (e as CliError).hint}, chunks}
  }
}

const lineArb = fc.oneof(
  {weight: 10, arbitrary: fc.tuple(fc.string({minLength: 1, maxLength: 6}), fc.string({maxLength: 12})).map(([k, v]) => JSON.stringify({key: k, value: v}))},
  {weight: 2, arbitrary: fc.uint8Array({maxLength: 10}).map((b) => JSON.stringify({key: 'b', value: Buffer.from(b).toString('base64'), valueEncoding: 'base64'}))},
  {weight: 2, arbitrary: fc.string({minLength: 1, maxLength: 4}).map((k) => JSON.stringify({key: k, delete: true}))},
  {weight: 1, arbitrary: fc.constantFrom('{"key":"t","value":"x","ttl":"5m"}', '{"key":"e","value":"x","expiresAt":1}', '{"key":"j","value":{"a":[1]},"valueEncoding":"json"}', '', '  ')},
  {weight: 1, arbitrary: fc.constantFrom('{"key":""}', 'not json', '{"key":"k","value":"zz","encoding":"hex"}', '{"key":"k"}')},
)

test('the worker thread cuts and applies the same chunks, and fails the same way, as the main thread', async (t) => {
  await fc.assert(fc.asyncProperty(fc.array(lineArb, {maxLength: 40}), fc.integer({min: 1, max: 5}), fc.option(fc.nat(6)), async (lines, size, failOn) => {
    const input = Buffer.from(lines.join('\n'))
    const serial = await outcome(input, size, false, failOn ?? undefined)
    const parallel = await outcome(input, size, true, failOn ?? undefined)
    t.deepEqual(parallel, serial)
  }), {numRuns: 150})
})

test('invalid UTF-8 and over-long lines are reported alike in parallel', async (t) => {
  const input = Buffer.concat([Buffer.from('{"key":"a","value":"1"}\n{"key":"b","value":"2"}\n'), Buffer.from([0xff]), Buffer.from('\n')])
  const serial = await outcome(input, 1, false)
  t.is(serial.error?.message, 'line 3: not valid UTF-8')
  t.deepEqual(await outcome(input, 1, true), serial)
})

test('ops survive packing: puts with every option, deletes, empty and binary values', (t) => {
  const ops: BatchOp[] = [
    {type: 'put', key: Buffer.from('a'), value: Buffer.alloc(0), json: false},
    {type: 'del', key: Buffer.from([0, 255])},
    {type: 'put', key: Buffer.from('t'), value: Buffer.from([1, 2, 3]), json: true, ttlMs: 1500},
    {type: 'put', key: Buffer.from('x'), value: Buffer.from('v'), json: false, expiresAt: 1_767_225_600_000},
  ]
  const unpacked = unpackOps(packOps(ops))
  t.deepEqual(unpacked.map((o) => ({...o, key: Buffer.from(o.key as Uint8Array)})), ops.map((o) => ({...o, key: Buffer.from(o.key as Uint8Array)})))
  t.deepEqual(unpackOps(packOps([])), [])
})

test('put --batch of a file big enough for the worker thread gives the same result and error as through stdin', async (t) => {
  const dir = tempDir(t)
  const value = Buffer.alloc(300, 7).toString('base64')
  const lines: string[] = []
  for (let i = 0; i < 24_000; i++) lines.push(`{"key":"k${String(i).padStart(6, '0')}","value":"${value}","valueEncoding":"base64"}`)
  const good = join(dir, 'good.ndjson')
  writeFileSync(good, lines.join('\n') + '\n')
  lines[20_123] = lines[20_123].replace('"value":"', '"value":"!')
  const bad = join(dir, 'bad.ndjson')
  writeFileSync(bad, lines.join('\n') + '\n')

  for (const name of ['a', 'b', 'c']) t.is((await strata(['init', '--dir', join(dir, name)])).code, 0)
  const fromFile = await strata(['put', '--batch', good, '--dir', join(dir, 'a'), '--format', 'json'])
  t.is(fromFile.code, 0, fromFile.stderr)
  t.deepEqual(JSON.parse(fromFile.stdout), {puts: 24_000, deletes: 0, expired: 0, lines: 24_000, chunks: 24})
  const scan = await strata(['scan', '--dir', join(dir, 'a'), '--format', 'ndjson', '--value-encoding', 'base64', '--limit', '3'])
  t.is(scan.stdout.split('\n').filter(Boolean).length, 3)

  const viaFile = await strata(['put', '--batch', bad, '--dir', join(dir, 'b'), '--format', 'json'])
  const viaStdin = await strata(['put', '--batch', '-', '--dir', join(dir, 'c'), '--format', 'json'], {input: lines.join('\n') + '\n'})
  t.is(viaFile.code, 2)
  t.is(viaFile.code, viaStdin.code)
  t.is(viaFile.stderr, viaStdin.stderr)
  t.regex(viaFile.stderr, /line 20124: value is not valid base64/)
  t.regex(viaFile.stderr, /lines 1-20000 were applied and are durable \(20 chunks: 20000 puts, 0 deletes\); nothing from line 20001 on was written/)
})

test('a file the worker thread cannot read fails as an I/O error, like one read on the main thread', async (t) => {
  const {store} = recorder()
  const dir = tempDir(t)
  for (const parallel of [false, true]) {
    const e = await t.throwsAsync(loadBatch({file: dir}, store, {chunkRecords: 10, encodings: enc, parallel}))
    // Reported as the I/O error it is, with where the load stopped (nothing applied).
    t.like(e as CliError, {code: 'IO', fields: {appliedLines: 0, resumeFromLine: 1}})
    t.regex(e?.message ?? '', /EISDIR/)
  }
})

test('a file read by the worker thread loads like the same file read on the main thread', async (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'in.ndjson')
  const lines = Array.from({length: 5000}, (_, i) => JSON.stringify(i % 7 === 3 ? {key: `k${i % 50}`, delete: true} : {key: `k${i % 50}`, value: `v${i}`}))
  lines[4321] = '{"key":"bad","value":"x","ttl":-1}'
  writeFileSync(file, lines.join('\n'))
  const run = async (parallel: boolean) => {
    const {store, chunks} = recorder()
    const e = await t.throwsAsync(loadBatch({file}, store, {chunkRecords: 100, encodings: enc, parallel}))
    return {chunks, message: e?.message, hint: (e as CliError).hint}
  }
  const serial = await run(false)
  t.is(serial.chunks.length, 43)
  t.deepEqual(await run(true), serial)
})

test('a parallel load into a store: every record, of many sizes, reads back as written', async (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'in.ndjson')
  // Values of varied lengths: chunks differ in size, and a shard's part of a chunk fills or overflows the memtable's slabs.
  const value = (i: number): string => `${i}:${'v'.repeat((i * 7919) % 700)}`
  const lines = Array.from({length: 30_000}, (_, i) => JSON.stringify({key: `k${String(i).padStart(6, '0')}`, value: value(i)}))
  writeFileSync(file, lines.join('\n') + '\n')
  const store = await createStore(join(dir, 'store'), {shards: 3}).then(() => open(join(dir, 'store'), {sync: 'none'}))
  const result = await loadBatch({file}, store, {chunkRecords: 97, encodings: enc, parallel: true})
  t.is(result.puts, 30_000)
  let n = 0
  for (const kv of store.scanSync()) {
    if (kv.value.toString() !== value(n) || kv.key.toString() !== `k${String(n).padStart(6, '0')}`) t.fail(`record ${n}: ${kv.key} = ${kv.value.toString().slice(0, 40)}`)
    n++
  }
  t.is(n, 30_000)
  await store.close()
})
