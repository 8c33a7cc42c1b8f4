/**
 * The packed runs the read pass holds moved records in (moved-run.ts) give
 * back every record with every field, in order, as often as they are read,
 * also after crossing to the other thread as bytes (peer-wire.ts).
 */
import test from 'ava'
import {Worker} from 'node:worker_threads'
import {deflateSync} from 'node:zlib'
import {Kind, ValueCodec, type Entry} from '../../src/record/format.js'
import {PackedKeys, PackedRun} from '../../src/rebalance/moved-run.js'
import {packShardPlan, unpackShardPlan} from '../../src/rebalance/peer-wire.js'
import {Sum256} from '../../src/digest/sum256.js'
import type {ShardPlan} from '../../src/rebalance/plan.js'

const AT = Date.now()

/** Records of every kind of field, in key order; large enough that a run grows several times. */
function records(n: number): Entry[] {
  return Array.from({length: n}, (_, i): Entry => {
    const key = Buffer.from(`key-${String(i).padStart(5, '0')}`)
    switch (i % 4) {
      case 0:
        return {kind: Kind.PUT, key, seq: i + 1, value: Buffer.alloc(i % 300, i & 0xff)}
      case 1:
        return {kind: Kind.PUT, key, seq: i + 1, value: Buffer.from(`{"n":${i}}`), json: true, expiresAt: AT + i}
      case 2:
        return {kind: Kind.PUT, key, seq: i + 1, value: deflateSync(Buffer.from(`coded ${i}`)), codec: ValueCodec.ZLIB}
      default:
        return {kind: Kind.PUT, key, seq: i + 1, value: Buffer.from([0, 255, i & 0xff]), schema: {id: 3, version: 1 + (i % 2)}}
    }
  })
}

/** The fields a reader or the digest sees, as plain values. */
function fields(e: Entry): unknown {
  return [e.kind, e.key.toString('hex'), e.value.toString('hex'), e.seq, e.expiresAt, e.json === true, e.codec ?? ValueCodec.RAW, e.schema?.id, e.schema?.version]
}

test('a packed run gives back every record and field in order, each time it is read', (t) => {
  const want = records(500)
  const run = PackedRun.empty()
  for (const e of want.slice(0, 200)) run.push(e)
  t.is([...run].length, 200)
  // Appending after a read, the next read sees everything.
  for (const e of want.slice(200)) run.push(e)
  t.is(run.length, 500)
  t.deepEqual([...run].map(fields), want.map(fields))
  t.deepEqual([...run].map(fields), want.map(fields))
})

test('a run rebuilt from its bytes (as it crosses threads) is the same run', (t) => {
  const want = records(300)
  const run = PackedRun.empty()
  for (const e of want) run.push(e)
  const again = PackedRun.of(new Uint8Array(run.bytes()), run.length)
  t.is(again.length, 300)
  t.deepEqual([...again].map(fields), want.map(fields))
})

test('packed keys give back every key in order', (t) => {
  const keys = records(400).map((e) => e.key)
  const packed = PackedKeys.empty()
  for (const k of keys) packed.push(k)
  t.is(packed.length, 400)
  t.deepEqual([...packed].map((k) => k.toString()), keys.map((k) => k.toString()))
  const again = PackedKeys.of(new Uint8Array(packed.bytes()), packed.length)
  t.deepEqual([...again].map((k) => k.toString()), keys.map((k) => k.toString()))
})

test('a shard\'s part of the plan crosses to another thread with only the runs for that thread\'s targets', async (t) => {
  const want = records(120)
  const moved = [undefined, PackedRun.empty(), PackedRun.empty(), undefined]
  want.forEach((e, i) => moved[1 + (i % 2)]!.push(e))
  const part: ShardPlan = {shard: 0, keys: [1, 60, 60, 0], bytes: [1, 2, 3, 0], sum: new Sum256(), staying: new Sum256(), movedSums: [undefined, new Sum256(), new Sum256(), undefined], routed: true, moved}
  const packed = packShardPlan(part, (target) => target === 2)
  t.deepEqual(packed.runs.map((r) => [r.target, r.length]), [[2, 60]])
  // Through a real structured clone, as postMessage makes it.
  const echo = new Worker('const {parentPort} = require("node:worker_threads"); parentPort.once("message", (m) => parentPort.postMessage(m))', {eval: true})
  try {
    const crossed = await new Promise<typeof packed>((resolve, reject) => {
      echo.once('message', resolve)
      echo.once('error', reject)
      echo.postMessage(packed)
    })
    const back = unpackShardPlan(crossed)
    t.is(back.moved[1], undefined)
    t.deepEqual([...back.moved[2]!].map(fields), want.filter((_, i) => i % 2 === 1).map(fields))
  } finally {
    await echo.terminate()
  }
})
