/**
 * The rich test store: a store written by the engine with every shape of
 * record and file a reader must handle. Shared by the dump, verify and
 * format tests, which differ only in its size and clock.
 *
 * In order: three rounds of puts over user keys and binary keys
 * (overwrites; TTLs live at the end, TTLs expired before the end, TTLs
 * written "a day ago" and long expired; JSON values with spacing that
 * re-serialising would lose; empty values; values of random bytes and of
 * compressible text, so a zlib table holds both block kinds), deletes, and
 * a batch mixing puts, a delete and a TTL; then a value larger than a data
 * block; a flush and a compaction; then more writes, part flushed (level-0
 * tables above the compacted level 1), the rest left in the WALs, ending
 * with a multi-entry batch. A small walFlushBytes makes many flushes.
 */
import type {CompressionName} from '../../src/sstable/format.js'
import {createStore, open} from '../../src/index.js'
import {pseudoRandom} from './random.js'

/** The default time of the store's last write, and a time to read it at when some TTLs have expired since. */
export const WRITE_CLOCK = 1_700_000_000_000
export const READ_CLOCK = WRITE_CLOCK + 3_600_000

/** What may differ between the callers. */
export interface RichStoreOptions {
  readonly compression: CompressionName
  readonly shards?: number
  /** User keys written in each of the three rounds (binary keys come on top). */
  readonly userKeys?: number
  /** Keys written after the compaction. */
  readonly lateKeys?: number
  readonly walFlushBytes?: number
  /** The time of the last write (Date.now() for a store the CLI reads now); expiries are relative to it. */
  readonly now?: number
}

const DAY = 86_400_000
/** A TTL that outlives any test run, counted from the write. */
const LIVE_TTL = 100_000_000

const defaults = {shards: 3, userKeys: 220, lateKeys: 90, walFlushBytes: 6 * 1024, now: WRITE_CLOCK}

/** Keys that stress bytewise order and framing: 0x00 and 0xff bytes, prefixes, one byte, binary. */
export function binaryKeys(): Buffer[] {
  const keys: Buffer[] = [
    Buffer.from([0x00]), Buffer.from([0xff]), Buffer.from([0x00, 0x00]), Buffer.from([0xff, 0xff, 0xff]),
    Buffer.from([0x00, 0xff, 0x00]), Buffer.from([0x80]), Buffer.from([0x7f, 0x80, 0x81]),
    Buffer.from('key\x00with\x00nuls'), Buffer.from('\xff\xfe high', 'latin1'), Buffer.from('a'), Buffer.from('ab'),
  ]
  for (let i = 0; i < 40; i++) keys.push(pseudoRandom(`bin${i}`, 1 + (i % 23)))
  return keys
}

const userKey = (i: number): Buffer => Buffer.from(`user:${String(i).padStart(4, '0')}`)
const lateKey = (i: number): Buffer => Buffer.from(`late:${String(i).padStart(3, '0')}`)
const roundKey = (round: number): Buffer => Buffer.from([0xff, 0x00, round])

/** Every key the store was ever written with (some end up deleted or expired). */
export function richStoreKeys(options: RichStoreOptions): Buffer[] {
  const o = {...defaults, ...options}
  return [
    ...Array.from({length: o.userKeys}, (_, i) => userKey(i)),
    ...binaryKeys(),
    ...[0, 1, 2].map(roundKey),
    Buffer.from('batch:ttl'),
    Buffer.from('big'),
    ...Array.from({length: o.lateKeys}, (_, i) => lateKey(i)),
  ]
}

/** Writes the rich store into `dir` (which must not exist) and closes it. */
export async function buildRichStore(dir: string, options: RichStoreOptions): Promise<void> {
  const o = {...defaults, ...options}
  await createStore(dir, {shards: o.shards, compression: o.compression})
  let clock = o.now - 10 * 60_000
  const store = await open(dir, {sync: 'none', walFlushBytes: o.walFlushBytes, compactionTrigger: 1000, now: () => clock})
  /** Written at `clock - DAY` with a one-minute TTL: long expired. */
  const putExpired = async (key: Buffer, value: Buffer): Promise<void> => {
    const at = clock
    clock = at - DAY
    await store.put(key, value, {ttlMs: 60_000})
    clock = at
  }
  const value = (i: number, len: number): Buffer =>
    i % 3 === 0 ? pseudoRandom(`v${i}`, len) : Buffer.from(`value ${i} `.repeat(Math.ceil(len / 8)).slice(0, len))
  const keys = [...Array.from({length: o.userKeys}, (_, i) => userKey(i)), ...binaryKeys()]
  const bin = binaryKeys()
  for (let round = 0; round < 3; round++) {
    for (const [i, key] of keys.entries()) {
      if (i % 11 === 5) await store.put(key, value(i + round, 30 + (i % 60)), {ttlMs: round === 0 ? 1_000 : LIVE_TTL})
      else if (i % 11 === 3) await putExpired(key, value(i, 30))
      else if (i % 13 === 7) await store.put(key, `{ "i": ${i},  "round": ${round} }`, {json: true})
      else if (i % 17 === 9) await store.put(key, Buffer.alloc(0))
      else await store.put(key, value(i * (round + 1), 10 + ((i * 7) % 150)))
    }
    for (let i = round; i < o.userKeys; i += 9) await store.delete(userKey(i))
    await store.batch([
      {type: 'put', key: bin[0], value: value(round, 200)},
      {type: 'del', key: bin[1]},
      {type: 'put', key: roundKey(round), value: Buffer.from([0x0a, 0x0d, 0x09, 0x5c, round])},
      {type: 'put', key: 'batch:ttl', value: 'x', ttlMs: 5_000},
    ])
    clock += 60_000
  }
  await store.put('big', value(7, 9000))
  await store.flush()
  await store.compact()
  for (let i = 0; i < o.lateKeys; i++) {
    const key = lateKey(i)
    if (i % 10 === 3) await store.put(key, value(i, 50), {ttlMs: LIVE_TTL})
    else if (i % 10 === 7) await putExpired(key, value(i, 25))
    else await store.put(key, value(i, 20 + (i % 40)))
    if (i % 17 === 0) await store.delete(userKey(i))
    if (i === Math.floor(o.lateKeys / 2)) await store.flush()
  }
  clock = o.now
  // A multi-entry batch left in the WALs (one record per shard it touches).
  await store.batch([
    {type: 'put', key: userKey(3), value: value(3, 70), ttlMs: LIVE_TTL},
    {type: 'del', key: userKey(4)},
    {type: 'put', key: userKey(o.userKeys - 1), value: value(5, 25)},
    {type: 'put', key: lateKey(1), value: '{"x":1}', json: true},
  ])
  await store.close()
}
