/**
 * Every field of a record survives a rebalance: value bytes and codec,
 * expiry, JSON flag and schema reference, for binary keys and values too.
 * Schema-stamped, zlib-coded records with an expiry are written as a table of
 * their own, installed into each shard by a manifest switch, the way a flush
 * installs one (the library's put stores values raw), and they name versions
 * of schemas registered in the store, so `verify`'s schema checks pass.
 */
import test from 'ava'
import * as path from 'node:path'
import * as zlib from 'node:zlib'
import {createStore, open, rebalance, registerSchema} from '../../src/index.js'
import {shardVersions} from '../../src/store/open.js'
import {Kind, ValueCodec, type Entry} from '../../src/record/format.js'
import {tempDir} from '../helpers/temp.js'
import {assertPlacement, assertVerifyClean, digestOf, installRecords} from './helpers.js'

const FAR = Date.now() + 365 * 86_400_000

/** key (hex) → every field of its newest live version. */
async function fields(dir: string): Promise<Map<string, string>> {
  const s = await open(dir, {readOnly: true})
  const out = new Map<string, string>()
  try {
    for (let i = 0; i < s.shardCount; i++) {
      for (const e of shardVersions(s, i)) {
        if (e.kind !== Kind.PUT || (e.expiresAt !== undefined && e.expiresAt <= Date.now())) continue
        out.set(e.key.toString('hex'), JSON.stringify({value: e.value.toString('hex'), codec: e.codec ?? 0, json: e.json === true, expiresAt: e.expiresAt ?? null, schema: e.schema ?? null}))
      }
    }
  } finally {
    await s.close()
  }
  return out
}

for (const [from, to] of [[2, 5], [5, 2]] as const) {
  test(`${from} to ${to}: TTL'd, JSON, binary, zlib-coded and schema-stamped records keep every field`, async (t) => {
    const dir = path.join(tempDir(t), 'db')
    await createStore(dir, {shards: from})
    const s = await open(dir, {sync: 'none'})
    for (let i = 0; i < 200; i++) {
      await s.put(`ttl-${i}`, `expires ${i}`, {expiresAt: FAR + i})
      await s.put(`json-${i}`, JSON.stringify({n: i, s: 'x'.repeat(i % 13)}), {json: true})
      await s.put(Buffer.from([0xff, 0, i & 0xff, i >> 8]), Buffer.from([0, 0xfe, i & 0xff, 0x80]))
    }
    await s.put('expired', 'gone', {expiresAt: Date.now() + 1})
    await s.delete('json-3')
    await s.flush()
    await s.close()
    // Schemas a, b and c (ids 1 to 3), four versions each, so every reference below is registered.
    const ids: number[] = []
    for (const name of ['a', 'b', 'c']) {
      for (let v = 1; v <= 4; v++) {
        const added = await registerSchema(dir, name, {version: v, schema: {type: 'object'}, ...(v === 1 ? {compatibility: 'NONE'} : {changes: []})})
        if (v === 1) ids.push(added.id)
      }
    }
    t.deepEqual(ids, [1, 2, 3])
    const stamped: Omit<Entry, 'seq'>[] = []
    for (let i = 0; i < 200; i++) {
      stamped.push({kind: Kind.PUT, key: Buffer.from(`schema-${i}`), value: Buffer.from(`{"v":${i}}`), json: true, schema: {id: 1 + (i % 3), version: 1 + (i % 4)}})
      const text = JSON.stringify({c: `compressed ${i} `.repeat(20)})
      stamped.push({kind: Kind.PUT, key: Buffer.from(`zlib-${i}`), value: zlib.deflateSync(Buffer.from(text)), codec: ValueCodec.ZLIB, json: true, expiresAt: FAR, schema: {id: 3 - (i % 3), version: 4 - (i % 4)}})
    }
    installRecords(dir, stamped)
    await new Promise((r) => setTimeout(r, 5))
    const before = await fields(dir)
    t.is(before.size, 200 * 3 - 1 + 400)
    const digest = await digestOf(dir)
    const r = await rebalance(dir, {shards: to})
    t.is(r.action, 'rebalanced')
    t.true(r.keysMoved > 0)
    const after = await fields(dir)
    t.deepEqual([...after.entries()].sort(), [...before.entries()].sort())
    t.is(await digestOf(dir), digest)
    await assertPlacement(t, dir)
    assertVerifyClean(t, dir)
    const g = await open(dir, {readOnly: true})
    try {
      t.is((await g.get('schema-5'))?.value.toString(), '{"v":5}')
      t.is((await g.get('zlib-7'))?.value.toString(), JSON.stringify({c: 'compressed 7 '.repeat(20)}))
      t.is(await g.get('json-3'), undefined)
    } finally {
      await g.close()
    }
  })
}
