/**
 * The record-by-record proof of a freshly built target (prove-built.ts): it
 * gives the target's share of the digest only when what is on disk is exactly
 * the plan's records, and nothing (so the shard is read whole and the
 * rebalance refused) when a record the build wrote is lost, is another one,
 * carries another field, or its table is damaged.
 */
import test, {type ExecutionContext} from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {deflateSync} from 'node:zlib'
import {createStore} from '../../src/index.js'
import {nodeFileSystem} from '../../src/vfs/node-fs.js'
import {readDescriptor, type StoreDescriptor} from '../../src/store/descriptor.js'
import {readCurrent} from '../../src/manifest/current.js'
import {Kind, ValueCodec, type Entry} from '../../src/record/format.js'
import {RecordHasher} from '../../src/digest/format.js'
import {Sum256} from '../../src/digest/sum256.js'
import {joinPath, shardDirName, tableFileName} from '../../src/layout/names.js'
import {buildTarget, type KeptShard} from '../../src/rebalance/build-target.js'
import {proveBuilt, type BuiltProofPlan} from '../../src/rebalance/prove-built.js'
import {tempDir} from '../helpers/temp.js'

const FROM = 2
const TO = 3
const NEW_SHARD = 2
const AT = Date.now()

/** A store of FROM shards and the descriptor of its next generation, with TO shards. */
async function setup(t: ExecutionContext): Promise<{dir: string; next: StoreDescriptor}> {
  const dir = path.join(tempDir(t), 'db')
  await createStore(dir, {shards: FROM})
  const desc = readDescriptor(nodeFileSystem, dir)
  return {dir, next: {...desc, shardCount: TO, shardGeneration: desc.shardGeneration + 1}}
}

/** Records of every kind of field, moving from source `s`, in key order. */
function records(s: number, n: number): Entry[] {
  return Array.from({length: n}, (_, i): Entry => {
    const key = Buffer.from(`s${s}-key-${String(i).padStart(4, '0')}`)
    switch (i % 4) {
      case 0:
        return {kind: Kind.PUT, key, seq: 7, value: Buffer.from(`plain ${s}/${i}`)}
      case 1:
        return {kind: Kind.PUT, key, seq: 7, value: Buffer.from(`{"n":${i}}`), json: true, expiresAt: AT + 3_600_000}
      case 2:
        return {kind: Kind.PUT, key, seq: 7, value: deflateSync(Buffer.from(`zlib-coded ${i} `.repeat(8))), codec: ValueCodec.ZLIB}
      default:
        return {kind: Kind.PUT, key, seq: 7, value: Buffer.from([0, 255, i & 0xff]), schema: {id: 3, version: 1 + (i % 2)}}
    }
  })
}

/** The plan's view of a new shard receiving `runs` (one per source), with their hashes summed as the read pass sums them. */
function newShardPlan(runs: Entry[][]): BuiltProofPlan {
  const hasher = new RecordHasher()
  const moved = new Sum256()
  for (const r of runs) for (const e of r) moved.addLatin1(hasher.hash(e))
  const movedSum = [new Sum256(), new Sum256(), moved]
  const movedIn = [[], [], runs.map((r) => r.slice())]
  return {from: FROM, routed: [true, true], staying: [new Sum256(), new Sum256()], movedSum, movedIn, movedOut: [[], []], matrix: {keys: runs.map((r) => [0, 0, r.length]), bytes: runs.map(() => [0, 0, 0])}}
}

test('a new shard built from the plan\'s records is proved, with the moved records\' hash sum', async (t) => {
  const {dir, next} = await setup(t)
  const runs = [records(0, 40), records(1, 25)]
  const plan = newShardPlan(runs)
  buildTarget(nodeFileSystem, dir, next, NEW_SHARD, undefined, runs, [])
  const sum = proveBuilt(nodeFileSystem, dir, next, NEW_SHARD, undefined, plan, AT)
  t.is(sum?.hex(), plan.movedSum[NEW_SHARD].hex())
  t.not(sum?.hex(), new Sum256().hex())
})

test('a record the build lost is not proved', async (t) => {
  const {dir, next} = await setup(t)
  const runs = [records(0, 40), records(1, 25)]
  const plan = newShardPlan(runs)
  buildTarget(nodeFileSystem, dir, next, NEW_SHARD, undefined, [runs[0].filter((_, i) => i !== 17), runs[1]], [])
  t.is(proveBuilt(nodeFileSystem, dir, next, NEW_SHARD, undefined, plan, AT), undefined)
})

test('a record written with another value, expiry, JSON flag, schema, codec, key or kind is not proved', async (t) => {
  const changes: ((e: Entry) => Entry)[] = [
    (e) => ({...e, value: Buffer.concat([e.value, Buffer.from('!')])}),
    (e) => ({...e, expiresAt: AT + 7_200_000}),
    (e) => ({...e, json: true}),
    (e) => ({...e, schema: {id: 3, version: 9}}),
    (e) => ({...e, codec: ValueCodec.ZLIB}),
    (e) => ({...e, key: Buffer.concat([e.key, Buffer.from('x')])}),
    (e) => ({...e, kind: Kind.DELETE, value: Buffer.alloc(0)}),
  ]
  for (const change of changes) {
    const {dir, next} = await setup(t)
    const runs = [records(0, 40), records(1, 25)]
    const plan = newShardPlan(runs)
    const written = runs[1].map((e, i) => (i === 12 ? change(e) : e))
    buildTarget(nodeFileSystem, dir, next, NEW_SHARD, undefined, [runs[0], written], [])
    t.is(proveBuilt(nodeFileSystem, dir, next, NEW_SHARD, undefined, plan, AT), undefined)
  }
})

test('a record the build added is not proved', async (t) => {
  const {dir, next} = await setup(t)
  const runs = [records(0, 40), records(1, 25)]
  const plan = newShardPlan(runs)
  const extra: Entry = {kind: Kind.PUT, key: Buffer.from('s1-key-0012a'), seq: 7, value: Buffer.from('stowaway')}
  buildTarget(nodeFileSystem, dir, next, NEW_SHARD, undefined, [runs[0], [...runs[1].slice(0, 13), extra, ...runs[1].slice(13)]], [])
  t.is(proveBuilt(nodeFileSystem, dir, next, NEW_SHARD, undefined, plan, AT), undefined)
})

test('a damaged byte in the new table is not proved', async (t) => {
  const {dir, next} = await setup(t)
  const runs = [records(0, 40), records(1, 25)]
  const plan = newShardPlan(runs)
  buildTarget(nodeFileSystem, dir, next, NEW_SHARD, undefined, runs, [])
  const shardDir = joinPath(dir, shardDirName(NEW_SHARD, next.shardGeneration))
  const tables = readCurrent(nodeFileSystem, shardDir).manifest.tables
  t.is(tables.length, 1)
  const file = joinPath(shardDir, tableFileName(tables[0].fileNumber))
  const bytes = fs.readFileSync(file)
  bytes[64] ^= 0x01
  fs.writeFileSync(file, bytes)
  t.is(proveBuilt(nodeFileSystem, dir, next, NEW_SHARD, undefined, plan, AT), undefined)
})

test('records the plan counted but no longer holds are not proved', async (t) => {
  const {dir, next} = await setup(t)
  const runs = [records(0, 40), records(1, 25)]
  const plan = newShardPlan(runs)
  // Lost between the read pass and the build: neither written nor held, but counted.
  const held = [runs[0].slice(0, 39), runs[1]]
  buildTarget(nodeFileSystem, dir, next, NEW_SHARD, undefined, held, [])
  t.is(proveBuilt(nodeFileSystem, dir, next, NEW_SHARD, undefined, {...plan, movedIn: [[], [], held]}, AT), undefined)
})

test('a kept shard is proved with its staying sum when it shadows exactly the keys that left it, and not when a tombstone is lost', async (t) => {
  for (const lose of [false, true]) {
    const {dir, next} = await setup(t)
    const oldDir = joinPath(dir, shardDirName(0, next.shardGeneration - 1))
    const kept: KeptShard = {dir: oldDir, manifest: readCurrent(nodeFileSystem, oldDir).manifest, lastSeq: 0}
    const leaving = records(0, 30).map((e) => e.key)
    const staying = new Sum256()
    staying.addHex('00'.repeat(31) + '2a')
    const plan: BuiltProofPlan = {
      from: FROM, routed: [true, true], staying: [staying, new Sum256()], movedSum: [new Sum256(), new Sum256(), new Sum256()],
      movedIn: [[[], []], [], []], movedOut: [leaving, []], matrix: {keys: [[0, 0, leaving.length], [0, 0, 0]], bytes: [[0, 0, 0], [0, 0, 0]]},
    }
    buildTarget(nodeFileSystem, dir, next, 0, kept, [[], []], lose ? leaving.slice(1) : leaving)
    const sum = proveBuilt(nodeFileSystem, dir, next, 0, kept, plan, AT)
    if (lose) t.is(sum, undefined)
    else t.is(sum?.hex(), staying.hex())
  }
})
