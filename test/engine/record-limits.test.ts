/**
 * The write path and the read path agree on what a record may hold
 * (record/limits.ts): whatever `put`/`batch` accept, a reopened store returns
 * exactly and compacts; whatever they refuse leaves the directory unchanged.
 */
import test from 'ava'
import fc from 'fast-check'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {Readable} from 'node:stream'
import {createStore, open, ErrorCode, MAX_EXPIRES_AT, MAX_KEY_BYTES, MAX_VALUE_BYTES, StrataError, type BatchOp} from '../../src/index.js'
import {loadBatch} from '../../src/cli/input/ndjson-load.js'
import {parseBatchLine} from '../../src/bulk/ndjson-line.js'
import {CliError} from '../../src/cli/oclif/cli-error.js'
import {ByteReader, ByteWriter} from '../../src/util/coding.js'
import {decodeEntry, encodeEntry} from '../../src/record/codec.js'
import {Kind, type Entry} from '../../src/record/format.js'
import {entryProblem} from '../../src/record/limits.js'
import {snapshotTree, tempDir} from '../helpers/temp.js'
import {shardOf as route} from '../../src/util/hash.js'

const ROOT = tempDir()
/** A new store directory's path, in a fresh folder under one temporary root (removed at exit). */
const newDir = (): string => path.join(fs.mkdtempSync(path.join(ROOT, 'db-')), 'db')

/** The stores' clock: fixed, so expiries are exact and "live" is decided. */
const NOW = 1_700_000_000_000
const MAX = Number.MAX_SAFE_INTEGER

const TOO_LONG_KEY = Buffer.alloc(MAX_KEY_BYTES + 1, 0x6b)
const LONGEST_KEY = Buffer.alloc(MAX_KEY_BYTES, 0x6c)
let tooLongValue: Buffer | undefined
/** 64 MiB + 1 byte, made once. */
const TOO_LONG_VALUE = (): Buffer => (tooLongValue ??= Buffer.alloc(MAX_VALUE_BYTES + 1))

/** Anything a caller might pass as a number option: huge, fractional, negative, NaN, the boundaries, and non-numbers. */
const numberish = fc.oneof(
  fc.double(),
  fc.integer({min: -3, max: 3}),
  fc.maxSafeNat(),
  fc.constantFrom(1e19, 1e308, Infinity, NaN, MAX, MAX + 1, MAX - NOW, MAX - NOW + 1, 2 ** 64, 0.5, 1.5, -1, 0, -0),
  fc.constantFrom<unknown>('1000', '', true, null, 10n, {}, [1]),
)

const stringKey = fc.oneof(
  {weight: 3, arbitrary: fc.string({minLength: 0, maxLength: 6})},
  {weight: 1, arbitrary: fc.string({unit: 'binary', minLength: 0, maxLength: 6})},
  {weight: 1, arbitrary: fc.constantFrom('\ud800', 'a\udc00', '\ud83d\ude00', '\ufffd', 'k')},
)
const keyArb = fc.oneof(
  {weight: 3, arbitrary: stringKey},
  {weight: 3, arbitrary: fc.uint8Array({minLength: 0, maxLength: 6})},
  {weight: 1, arbitrary: fc.constantFrom<Uint8Array | string>(TOO_LONG_KEY, LONGEST_KEY)},
)
const valueArb = fc.oneof(
  {weight: 8, arbitrary: fc.oneof(fc.string({maxLength: 8}), fc.string({unit: 'binary', maxLength: 8}), fc.uint8Array({maxLength: 8}))},
  {weight: 1, arbitrary: fc.constant<'too-long'>('too-long')},
  {weight: 1, arbitrary: fc.constantFrom<unknown>(42, null, undefined)},
)
/** Mostly plausible expiries (a positive ttl, a future time), the rest anything at all. */
const ttlArb = fc.oneof({weight: 2, arbitrary: fc.integer({min: 1, max: 10 ** 12})}, {weight: 1, arbitrary: fc.double({min: 0, max: 1e6, noNaN: true})}, {weight: 3, arbitrary: numberish})
const expiresAtArb = fc.oneof({weight: 2, arbitrary: fc.integer({min: NOW - 1000, max: NOW + 10 ** 12})}, {weight: 3, arbitrary: numberish})

const putArb = fc.oneof(
  fc.record({type: fc.constant('put'), key: keyArb, value: valueArb}),
  fc.record({type: fc.constant('put'), key: keyArb, value: valueArb, ttlMs: ttlArb}),
  fc.record({type: fc.constant('put'), key: keyArb, value: valueArb, expiresAt: expiresAtArb}),
  fc.record(
    {type: fc.constant('put'), key: keyArb, value: valueArb, ttlMs: ttlArb, expiresAt: expiresAtArb, json: fc.constantFrom<unknown>(true, false, 'yes', 1)},
    {requiredKeys: ['type', 'key', 'value']},
  ),
)
const delArb = fc.record({type: fc.constant('del'), key: keyArb})
const opsArb = fc.array(fc.oneof({weight: 4, arbitrary: putArb}, {weight: 1, arbitrary: delArb}), {minLength: 1, maxLength: 3})

type Op = Record<string, unknown>

/** Bytes of a key or value as the store should store them, or undefined if it must refuse it. */
function bytesOf(v: unknown, what: 'key' | 'value'): Buffer | undefined {
  if (v === 'too-long') return what === 'value' ? undefined : Buffer.from(v)
  let b: Buffer
  if (typeof v === 'string') {
    if (/\p{Cs}/u.test(v)) return undefined
    b = Buffer.from(v, 'utf8')
  } else if (v instanceof Uint8Array) {
    b = Buffer.from(v)
  } else {
    return undefined
  }
  if (what === 'key') return b.length >= 1 && b.length <= MAX_KEY_BYTES ? b : undefined
  return b.length <= MAX_VALUE_BYTES ? b : undefined
}

interface Expected {
  readonly kind: 'put' | 'delete'
  readonly value?: Buffer
  readonly expiresAt?: number
  readonly json?: boolean
}

/**
 * The oracle, written independently of the engine from the format's limits:
 * what each op must store, or undefined if the batch must be refused.
 */
function expect(op: Op): {key: Buffer; e: Expected} | undefined {
  const key = bytesOf(op.key, 'key')
  if (key === undefined) return undefined
  if (op.type === 'del') return {key, e: {kind: 'delete'}}
  const value = bytesOf(op.value, 'value')
  if (value === undefined) return undefined
  if (op.json !== undefined && typeof op.json !== 'boolean') return undefined
  if (op.ttlMs !== undefined && op.expiresAt !== undefined) return undefined
  let expiresAt: number | undefined
  if (op.ttlMs !== undefined) {
    const ttl = op.ttlMs
    if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl <= 0) return undefined
    expiresAt = Math.ceil(NOW + ttl)
    if (expiresAt > MAX) return undefined
  } else if (op.expiresAt !== undefined) {
    const at = op.expiresAt
    if (typeof at !== 'number' || !Number.isInteger(at) || at < 0 || at > MAX) return undefined
    expiresAt = at
  }
  return {key, e: {kind: 'put', value, ...(expiresAt === undefined ? {} : {expiresAt}), json: op.json === true}}
}

/** Materialises the 'too-long' marker. */
function realOp(op: Op): BatchOp {
  return (op.value === 'too-long' ? {...op, value: TOO_LONG_VALUE()} : op) as unknown as BatchOp
}

/** Asserts that a store reopened at NOW holds exactly `model`. */
async function assertHolds(t: import('ava').ExecutionContext, dir: string, model: Map<string, Expected>, label: string): Promise<void> {
  const s = await open(dir, {readOnly: true, now: () => NOW})
  try {
    for (const [hex, e] of model) {
      const key = Buffer.from(hex, 'hex')
      const name = hex.length > 40 ? `${hex.slice(0, 40)}… (${key.length} bytes)` : hex
      const got = s.getSync(key)
      const live = e.kind === 'put' && (e.expiresAt === undefined || e.expiresAt > NOW)
      if (!live) {
        if (got !== undefined) t.fail(`${label}: key ${name} should read as absent`)
        continue
      }
      if (got === undefined) {
        t.fail(`${label}: key ${name} is missing`)
        continue
      }
      if (!got.value.equals(e.value!) || got.expiresAt !== e.expiresAt || got.json !== e.json) {
        t.fail(`${label}: key ${name} reads ${JSON.stringify({value: got.value.toString('hex'), expiresAt: got.expiresAt, json: got.json})}, wrote ${JSON.stringify({value: e.value!.toString('hex'), expiresAt: e.expiresAt, json: e.json})}`)
      }
    }
    // Nothing but the model: every live key read back by a scan is in it.
    for (const kv of s.scanSync()) if (!model.has(kv.key.toString('hex'))) t.fail(`${label}: unexpected key ${kv.key.toString('hex')}`)
  } finally {
    await s.close()
  }
}

test('whatever put and batch accept reads back exactly after reopen and compaction; whatever they refuse changes nothing', async (t) => {
  let accepted = 0
  let refused = 0
  await fc.assert(
    fc.asyncProperty(fc.array(opsArb, {minLength: 1, maxLength: 4}), fc.integer({min: 1, max: 3}), async (batches, shards) => {
      const dir = newDir()
      await createStore(dir, {shards})
      const model = new Map<string, Expected>()
      const s = await open(dir, {sync: 'always', now: () => NOW})
      try {
        for (const ops of batches) {
          const predicted = ops.map(expect)
          const before = snapshotTree(dir)
          let error: unknown
          try {
            if (ops.length === 1 && ops[0].type === 'put') {
              const {key, value, ...options} = realOp(ops[0]) as Extract<BatchOp, {type: 'put'}>
              await s.put(key, value, options)
            } else {
              await s.batch(ops.map(realOp))
            }
          } catch (err) {
            error = err
          }
          if (predicted.every((p) => p !== undefined)) {
            if (error !== undefined) return t.fail(`refused a valid batch: ${String(error)} for ${JSON.stringify(ops, replacer)}`)
            accepted++
            for (const p of predicted) model.set(p!.key.toString('hex'), p!.e)
          } else {
            if (error === undefined) return t.fail(`accepted an invalid batch: ${JSON.stringify(ops, replacer)}`)
            if (!(error instanceof StrataError && error.code === ErrorCode.INVALID_ARGUMENT)) return t.fail(`refused with ${String(error)}, not INVALID_ARGUMENT`)
            t.deepEqual(snapshotTree(dir), before, 'a refused write changed the directory')
            refused++
          }
        }
      } finally {
        await s.close()
      }
      await assertHolds(t, dir, model, 'reopened')
      const w = await open(dir, {now: () => NOW})
      try {
        await w.compact()
      } finally {
        await w.close()
      }
      // Compaction drops what is expired at NOW; what is live stays exactly.
      for (const [hex, e] of model) if (e.kind === 'put' && e.expiresAt !== undefined && e.expiresAt <= NOW) model.set(hex, {kind: 'delete'})
      await assertHolds(t, dir, model, 'compacted')
    }),
    {numRuns: 60},
  )
  // Both sides of the rule were exercised.
  t.true(accepted > 20, `accepted ${accepted}`)
  t.true(refused > 20, `refused ${refused}`)
})

function replacer(_k: string, v: unknown): unknown {
  if (typeof v === 'bigint') return `${v}n`
  if (v instanceof Uint8Array) return `<${v.length} bytes>`
  if (typeof v === 'string' && v.length > 40) return `<${v.length} chars>`
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v)
  return v
}

test('a ttl of 1e19 or 1e308, or an expiresAt past 2^53 - 1, is refused by put and batch, and nothing is written', async (t) => {
  const dir = newDir()
  await createStore(dir, {shards: 2})
  const s = await open(dir, {now: () => NOW})
  await s.put('keep', 'v')
  const before = snapshotTree(dir)
  const bad: Array<() => Promise<void>> = [
    () => s.put('k', 'v', {ttlMs: 1e19}),
    () => s.put('k', 'v', {ttlMs: 1e308}),
    () => s.put('k', 'v', {ttlMs: MAX - NOW + 1}),
    () => s.put('k', 'v', {expiresAt: MAX + 1}),
    () => s.batch([{type: 'put', key: 'a', value: '1'}, {type: 'put', key: 'b', value: '2', ttlMs: 1e19}]),
  ]
  for (const call of bad) {
    const err = await t.throwsAsync(call)
    t.is((err as StrataError).code, ErrorCode.INVALID_ARGUMENT)
  }
  t.deepEqual(snapshotTree(dir), before)
  // The boundary itself is accepted and reads back.
  await s.put('edge', 'v', {ttlMs: MAX - NOW})
  await s.put('edge2', 'v', {expiresAt: MAX_EXPIRES_AT})
  t.is(s.getSync('edge')?.expiresAt, MAX)
  await s.close()
  const r = await open(dir, {readOnly: true, now: () => NOW})
  t.is(r.getSync('edge')?.expiresAt, MAX)
  t.is(r.getSync('edge2')?.expiresAt, MAX)
  t.is(r.getSync('k'), undefined)
  t.is(r.getSync('a'), undefined)
  await r.close()
})

test('a batch whose part in one shard exceeds one WAL record is refused before any shard is written', async (t) => {
  const dir = newDir()
  await createStore(dir, {shards: 2})
  const shardOf = (k: string): number => route(Buffer.from(k), 2)
  // A small put in one shard first, then five 64 MiB values (320 MiB) in the other.
  const small = ['a', 'b', 'c', 'd'].find((k) => shardOf(k) === 0)!
  const bigKeys = Array.from({length: 40}, (_, i) => `big${i}`).filter((k) => shardOf(k) === 1).slice(0, 5)
  t.is(bigKeys.length, 5)
  const s = await open(dir, {sync: 'none'})
  const before = snapshotTree(dir)
  const big = Buffer.alloc(MAX_VALUE_BYTES)
  const ops: BatchOp[] = [{type: 'put', key: small, value: 'v'}, ...bigKeys.map((key): BatchOp => ({type: 'put', key, value: big}))]
  const err = await t.throwsAsync(() => s.batch(ops))
  t.is((err as StrataError).code, ErrorCode.INVALID_ARGUMENT)
  t.is(s.getSync(small), undefined)
  t.deepEqual(snapshotTree(dir), before)
  await s.close()
})

test('the encoder refuses, before writing a byte, any entry the decoder would reject', (t) => {
  const base: Entry = {kind: Kind.PUT, key: Buffer.from('k'), value: Buffer.from('v'), seq: 1}
  const bad: Entry[] = [
    {...base, expiresAt: MAX + 1},
    {...base, expiresAt: 1e19},
    {...base, expiresAt: -1},
    {...base, expiresAt: 1.5},
    {...base, key: Buffer.alloc(0)},
    {...base, key: TOO_LONG_KEY},
    {...base, seq: MAX + 1},
    {...base, kind: Kind.DELETE},
    {...base, schema: {id: -1, version: 0}},
  ]
  for (const e of bad) {
    t.not(entryProblem(e), undefined)
    const w = new ByteWriter()
    t.throws(() => encodeEntry(w, e), {instanceOf: StrataError})
    t.is(w.length, 0)
  }
  const good: Entry = {...base, expiresAt: MAX, json: true, schema: {id: MAX, version: 0}}
  const w = new ByteWriter()
  encodeEntry(w, good)
  t.deepEqual(decodeEntry(new ByteReader(Buffer.from(w.finish()), 'test')), good)
})

/** NDJSON put --batch lines: key, value, and a ttl or expiresAt as raw JSON text (numbers JSON.stringify cannot write included). */
const jsonNumberText = fc.oneof(
  fc.constantFrom('1e19', '1e308', '1e400', '-1', '0', '0.5', '1.5', '30000', String(MAX - NOW), String(MAX - NOW + 1), String(MAX), String(MAX + 1), '9007199254740993', '-0'),
  fc.maxSafeNat().map(String),
  fc.double({noNaN: true, noDefaultInfinity: true}).map((d) => JSON.stringify(d)),
  fc.constantFrom('"30s"', '"1e19"', '"36500d"', '"36501d"', '"2026-01-01T00:00:00Z"', '"287396-10-12T08:59:00.991Z"', '"+275760-09-13T00:00:00.000Z"', '"x"', 'null', 'true', '[]'),
)
const lineArb = fc.record({
  key: fc.oneof(fc.string({unit: 'binary', minLength: 1, maxLength: 4}), fc.constantFrom('\\ud800', 'a\\udfff', '\\ud83d\\ude00')),
  field: fc.constantFrom('ttl', 'expiresAt', 'none'),
  number: jsonNumberText,
})

test('whatever put --batch accepts from NDJSON reads back exactly; whatever it refuses changes nothing', async (t) => {
  let accepted = 0
  let refused = 0
  await fc.assert(
    fc.asyncProperty(lineArb, async ({key, field, number}) => {
      // Keys given as JSON escapes ("\\ud800") stay escapes; others are encoded by JSON.stringify.
      const keyJson = key.startsWith('\\u') || key.startsWith('a\\u') ? `"${key}"` : JSON.stringify(key)
      const text = `{"key":${keyJson},"value":"v"${field === 'none' ? '' : `,"${field}":${number}`}}`
      const dir = newDir()
      await createStore(dir, {shards: 2})
      const s = await open(dir, {sync: 'none', now: () => NOW})
      const before = snapshotTree(dir)
      let intent: ReturnType<typeof parseBatchLine> | undefined
      try {
        intent = parseBatchLine(text, 1, {key: 'utf8', value: 'utf8'}, NOW)
      } catch {
        intent = undefined
      }
      let error: unknown
      try {
        await loadBatch(Readable.from([`${text}\n`]), s, {chunkRecords: 1, encodings: {key: 'utf8', value: 'utf8'}, now: () => NOW})
      } catch (err) {
        error = err
      } finally {
        await s.close()
      }
      if (error !== undefined) {
        if (!(error instanceof CliError && error.code === ErrorCode.INVALID_ARGUMENT)) return t.fail(`${text}: refused with ${String(error)}`)
        t.is(intent, undefined, `${text}: the line parses but the store refused it`)
        t.deepEqual(snapshotTree(dir), before, `${text}: a refused line changed the directory`)
        refused++
        return
      }
      accepted++
      if (intent === undefined) return t.fail(`${text}: accepted, but parseBatchLine refuses it`)
      const r = await open(dir, {readOnly: true, now: () => NOW})
      const v = r.explain(intent.key).versions[0]
      await r.close()
      if (intent.kind === 'delete') return t.is(v?.kind, 'delete', text)
      const expiresAt = intent.expiresAt ?? (intent.ttlMs === undefined ? undefined : NOW + intent.ttlMs)
      t.is(v?.kind, 'put', text)
      t.is(v?.expiresAt, expiresAt, text)
      t.deepEqual(v?.value, Buffer.from('v'), text)
    }),
    {numRuns: 150},
  )
  t.true(accepted > 20, `accepted ${accepted}`)
  t.true(refused > 20, `refused ${refused}`)
})
