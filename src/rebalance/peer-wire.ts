/**
 * What crosses between a rebalance's two threads (peer.ts on the writer's
 * thread, peer-worker.ts on the other): the messages, the packed form of a
 * shard's part of the plan, a kept shard with its keys made Buffers again,
 * and errors (util/thread-wire.ts, with the inbox each side reads from).
 *
 * A moved record crosses in the entry encoding of record/codec.ts, which
 * keeps every field. Structured cloning turns a Buffer into a plain
 * Uint8Array, so every key that crosses is wrapped again on arrival.
 */
import type {PackedError} from '../util/thread-wire.js'
import type {StoreDescriptor} from '../store/descriptor.js'
import type {Entry} from '../record/format.js'
import type {TableMeta} from '../manifest/format.js'
import {decodeEntry, encodeEntry} from '../record/codec.js'
import {ByteReader, ByteWriter} from '../util/coding.js'
import {Sum256} from '../digest/sum256.js'
import type {ShardPlan} from './plan.js'
import type {BuiltTarget, KeptShard} from './build-target.js'

/** What the worker is started with: the old generation it reads and the run's targets. */
export interface PeerWorkerData {
  readonly dir: string
  readonly desc: StoreDescriptor
  readonly to: number
  readonly at: number
  /** The old shards it reads; it builds and proves the targets of the same parity. */
  readonly shards: readonly number[]
}

/** A ShardPlan as it crosses threads: sums as hex, moved records as (varint target, entry) pairs. */
export interface PackedShardPlan {
  readonly shard: number
  readonly keys: number[]
  readonly bytes: number[]
  readonly sum: string
  readonly staying: string
  /** Per target: the moved records' hash sum as hex, '' where none move. */
  readonly movedSums: string[]
  readonly routed: boolean
  readonly moved: Uint8Array
}

/** One target for the worker to build (`kept`: the old shard it starts from) or to prove (`kept`: provably the tables the plan read). */
export interface PeerTarget {
  readonly shard: number
  readonly kept?: KeptShard
  /** For a build: whether `kept` is provably the tables the plan read, so the built target may be proved record by record. */
  readonly provable?: boolean
}

/** A shard's share of the proof: its live records' hash sum, and whether it was counted from its new tables only. */
export interface ShardProof {
  readonly shard: number
  readonly sum: string
  readonly byTables: boolean
}

export type ToPeerWorker =
  | {type: 'shards'; plans: PackedShardPlan[]}
  | {type: 'build'; next: StoreDescriptor; targets: PeerTarget[]}
  | {type: 'prove'; next: StoreDescriptor; targets: PeerTarget[]}

export type FromPeerWorker =
  | {type: 'shard'; plan: PackedShardPlan}
  | {type: 'built'; built: BuiltTarget}
  | {type: 'proved'; proofs: ShardProof[]}
  | {type: 'failed'; error: PackedError}

/** `p` packed, with only the moved records whose target `sends` accepts. */
export function packShardPlan(p: ShardPlan, sends: (t: number) => boolean): PackedShardPlan {
  const w = new ByteWriter(64 * 1024)
  for (let i = 0; i < p.moved.length; i++) {
    if (!sends(p.movedTo[i])) continue
    w.varint(p.movedTo[i])
    encodeEntry(w, p.moved[i])
  }
  return {shard: p.shard, keys: p.keys, bytes: p.bytes, sum: p.sum.hex(), staying: p.staying.hex(), movedSums: p.movedSums.map((m) => m?.hex() ?? ''), routed: p.routed, moved: w.finish()}
}

export function unpackShardPlan(p: PackedShardPlan): ShardPlan {
  const buf = asBuffer(p.moved)
  const r = new ByteReader(buf, 'rebalance plan')
  const moved: Entry[] = []
  const movedTo: number[] = []
  while (r.pos < buf.length) {
    movedTo.push(r.varint())
    moved.push(decodeEntry(r))
  }
  const sum = new Sum256()
  sum.addHex(p.sum)
  const staying = new Sum256()
  staying.addHex(p.staying)
  const movedSums = p.movedSums.map((hex) => {
    if (hex === '') return undefined
    const m = new Sum256()
    m.addHex(hex)
    return m
  })
  return {shard: p.shard, keys: p.keys, bytes: p.bytes, sum, staying, movedSums, routed: p.routed, moved, movedTo}
}

/** A kept shard as received: its tables' key bounds made Buffers again. */
export function reviveKept(k: KeptShard | undefined): KeptShard | undefined {
  if (k === undefined) return undefined
  const tables: TableMeta[] = k.manifest.tables.map((m) => ({...m, smallestKey: asBuffer(m.smallestKey), largestKey: asBuffer(m.largestKey)}))
  return {...k, manifest: {...k.manifest, tables}}
}

/** A BuiltTarget is plain numbers: it crosses as it is. */
export type {BuiltTarget}

function asBuffer(u: Uint8Array): Buffer {
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength)
}
