/**
 * Random workloads against the public Store API, their reference model, and
 * the check that a recovered store is a per-shard prefix of the history.
 *
 * What "prefix" means: shards are independent logs, so the order that
 * matters is each shard's own. Every operation contributes, to each shard
 * it touches, one atomic step: the list of its mutations that fall in that
 * shard (a batch spanning three shards is three steps, one per shard, and
 * is not atomic across shards; a put or delete is one step). Shard s's
 * history is the sequence of its steps in acknowledgement order. A
 * recovered store is acceptable iff, for every shard s independently, its
 * live contents equal the state after exactly the first n_s steps of s's
 * history, for some n_s with floor_s ≤ n_s ≤ total_s:
 *   - total_s counts the steps of every acknowledged operation plus the one
 *     in flight at the crash (it may or may not have reached the disk);
 *   - floor_s counts the steps that must have survived: with sync 'always'
 *     every acknowledged operation; with sync 'none' the operations
 *     acknowledged before the last flush/compact/close that returned.
 * "No holes" is built in: a state that contains step j but not an earlier
 * step i of the same shard matches no n_s (values are unique per write).
 * "No batch half applied" is built in too: n_s counts whole steps.
 * Operations that failed (the I/O-error loop) may be named optional: each of
 * their steps may be absent, independently per shard, even below the floor.
 */
import {shardOf} from '../../../src/util/hash.js'
import type {BatchOp, Store} from '../../../src/index.js'
import type {Rng} from './seed.js'

/** One operation of a workload. */
export type WorkOp =
  | {readonly type: 'put'; readonly key: Buffer; readonly value: Buffer; readonly ttlMs?: number}
  | {readonly type: 'del'; readonly key: Buffer}
  | {readonly type: 'batch'; readonly ops: ReadonlyArray<{readonly type: 'put'; readonly key: Buffer; readonly value: Buffer; readonly ttlMs?: number} | {readonly type: 'del'; readonly key: Buffer}>}
  | {readonly type: 'flush'}
  | {readonly type: 'compact'}
  | {readonly type: 'reopen'}

/** One key's state in the model: a value (with its expiry), or deleted. */
export interface KeyState {
  readonly value: Buffer | undefined
  readonly expiresAt?: number
}

/** One write as the model applies it. */
export interface Mutation {
  /** Key, hex. */
  readonly key: string
  readonly state: KeyState
}

/** A key pool: text keys, binary keys, the extremes. */
export function keyPool(rng: Rng, n: number): Buffer[] {
  const keys = new Map<string, Buffer>()
  const add = (k: Buffer): void => void keys.set(k.toString('hex'), k)
  add(Buffer.from([0x00]))
  add(Buffer.from([0xff, 0xff]))
  while (keys.size < n) {
    if (rng.chance(0.7)) add(Buffer.from(`key:${String(rng.int(100_000)).padStart(5, '0')}`))
    else add(rng.bytes(rng.range(1, 24)))
  }
  return [...keys.values()]
}

/** A value that names the write that made it (so a recovered value identifies its write). */
export function valueFor(rng: Rng, tag: string): Buffer {
  const head = Buffer.from(`${tag}|`)
  const r = rng.next()
  const size = r < 0.1 ? 0 : r < 0.85 ? rng.int(200) : r < 0.97 ? rng.range(200, 2000) : rng.range(4000, 9000)
  const body = rng.chance(0.5) ? Buffer.from('abcdefgh'.repeat(Math.ceil(size / 8)).slice(0, size)) : rng.bytes(size)
  return Buffer.concat([head, body])
}

/** Options of `randomOp`. */
export interface OpMix {
  /** Allow flush / compact / reopen. */
  readonly maintenance?: boolean
}

/** A random operation over `keys`; `tag` makes its values unique. */
export function randomOp(rng: Rng, keys: readonly Buffer[], tag: string, mix: OpMix = {}): WorkOp {
  const r = rng.next()
  const ttl = (): {ttlMs?: number} => (rng.chance(0.15) ? {ttlMs: rng.pick([1, 1500, 4000, 30_000, 10_000_000])} : {})
  if (mix.maintenance !== false) {
    if (r < 0.03) return {type: 'flush'}
    if (r < 0.05) return {type: 'compact'}
    if (r < 0.06) return {type: 'reopen'}
  }
  if (r < 0.6) return {type: 'put', key: rng.pick(keys), value: valueFor(rng, tag), ...ttl()}
  if (r < 0.75) return {type: 'del', key: rng.pick(keys)}
  const n = rng.range(2, 8)
  const ops: Array<{type: 'put'; key: Buffer; value: Buffer; ttlMs?: number} | {type: 'del'; key: Buffer}> = []
  for (let i = 0; i < n; i++) {
    if (rng.chance(0.75)) ops.push({type: 'put', key: rng.pick(keys), value: valueFor(rng, `${tag}.${i}`), ...ttl()})
    else ops.push({type: 'del', key: rng.pick(keys)})
  }
  return {type: 'batch', ops}
}

/** The mutations `op` makes, in order, if executed at time `now`. */
export function mutationsOf(op: WorkOp, now: number): Mutation[] {
  const one = (o: {type: 'put' | 'del'; key: Buffer; value?: Buffer; ttlMs?: number}): Mutation =>
    o.type === 'del'
      ? {key: o.key.toString('hex'), state: {value: undefined}}
      : {key: o.key.toString('hex'), state: o.ttlMs === undefined ? {value: o.value} : {value: o.value, expiresAt: now + Math.ceil(o.ttlMs)}}
  if (op.type === 'put' || op.type === 'del') return [one(op)]
  if (op.type === 'batch') return op.ops.map(one)
  return []
}

/** Executes `op` on `store`. 'reopen' is the caller's (it needs the options). */
export async function execute(store: Store, op: WorkOp): Promise<void> {
  switch (op.type) {
    case 'put':
      return store.put(op.key, op.value, op.ttlMs === undefined ? {} : {ttlMs: op.ttlMs})
    case 'del':
      return store.delete(op.key)
    case 'batch':
      return store.batch(op.ops.map((o): BatchOp => (o.type === 'put' ? {type: 'put', key: o.key, value: o.value, ...(o.ttlMs === undefined ? {} : {ttlMs: o.ttlMs})} : {type: 'del', key: o.key})))
    case 'flush':
      return store.flush()
    case 'compact':
      await store.compact()
      return
    case 'reopen':
      throw new Error('reopen is executed by the caller')
  }
}

/** Live value of a model state at `now`, or undefined. */
export function liveValue(s: KeyState | undefined, now: number): KeyState | undefined {
  if (s === undefined || s.value === undefined) return undefined
  if (s.expiresAt !== undefined && s.expiresAt <= now) return undefined
  return s
}

function sameLive(a: KeyState | undefined, b: KeyState | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  return a.value!.equals(b.value!) && a.expiresAt === b.expiresAt
}

/** What a store holds: key hex → live value and expiry. */
export type Contents = Map<string, KeyState>

/** Whether `a` and `b` hold the same keys with the same values and expiries. */
export function sameContents(a: Contents, b: Contents): boolean {
  if (a.size !== b.size) return false
  for (const [k, v] of a) if (!sameLive(v, b.get(k))) return false
  return true
}

/** Every live key of `store`, by scan. */
export function contentsOf(store: Store): Contents {
  const out: Contents = new Map()
  for (const kv of store.scanSync()) out.set(kv.key.toString('hex'), kv.expiresAt === undefined ? {value: kv.value} : {value: kv.value, expiresAt: kv.expiresAt})
  return out
}

/** The model after applying `steps` to an empty store, live at `now`. */
export function modelAfter(steps: ReadonlyArray<readonly Mutation[]>, now: number): Contents {
  const m = new Map<string, KeyState>()
  for (const step of steps) for (const mu of step) m.set(mu.key, mu.state)
  const out: Contents = new Map()
  for (const [k, s] of m) {
    const live = liveValue(s, now)
    if (live !== undefined) out.set(k, live)
  }
  return out
}

/** The history a recovered store is checked against (see the module comment). */
export interface PrefixSpec {
  /** Mutations of each operation, in acknowledgement order; the last may be the one in flight. */
  readonly ops: ReadonlyArray<readonly Mutation[]>
  /** Operations [0, floorOps) must have survived. */
  readonly floorOps: number
  readonly shards: number
  /** The clock the store is read with. */
  readonly now: number
  /** Live contents before the first operation (default: empty). */
  readonly initial?: Contents
  /** Indexes into `ops` of operations that failed: each may be absent even below the floor (per shard). */
  readonly optional?: ReadonlySet<number>
}

/** Why `recovered` is not a per-shard prefix of `spec`, or undefined if it is. */
export function prefixViolation(recovered: Contents, spec: PrefixSpec): string | undefined {
  const shardOfHex = new Map<string, number>()
  const shardOfKey = (hex: string): number => {
    let s = shardOfHex.get(hex)
    if (s === undefined) shardOfHex.set(hex, (s = shardOf(Buffer.from(hex, 'hex'), spec.shards)))
    return s
  }
  const initial = spec.initial ?? new Map<string, KeyState>()
  const written = new Set<string>(initial.keys())
  for (const op of spec.ops) for (const mu of op) written.add(mu.key)
  for (const k of recovered.keys()) if (!written.has(k)) return `key ${k} was never written`
  for (let s = 0; s < spec.shards; s++) {
    const steps: Mutation[][] = []
    const optional: number[] = []
    let floor = 0
    spec.ops.forEach((op, i) => {
      const part = op.filter((mu) => shardOfKey(mu.key) === s)
      if (part.length === 0) return
      if (spec.optional?.has(i)) optional.push(steps.length)
      steps.push(part)
      if (i < spec.floorOps) floor = steps.length
    })
    const got = new Map([...recovered].filter(([k]) => shardOfKey(k) === s))
    let best = {n: floor, mismatches: Infinity, skipped: new Set<number>()}
    // Each optional step (a failed write) may be absent; try every choice (there are few).
    for (let mask = 0; mask < 2 ** optional.length && best.mismatches !== 0; mask++) {
      const skipped = new Set(optional.filter((_, j) => (mask >> j) & 1))
      const state = new Map<string, KeyState>([...initial].filter(([k]) => shardOfKey(k) === s))
      let mismatches = 0
      for (const k of new Set([...got.keys(), ...state.keys()])) if (!sameLive(liveValue(state.get(k), spec.now), got.get(k))) mismatches++
      for (let n = 0; ; n++) {
        if (n >= floor) {
          if (mismatches === 0) {
            best = {n, mismatches: 0, skipped}
            break
          }
          if (mismatches < best.mismatches) best = {n, mismatches, skipped}
        }
        if (n === steps.length) break
        if (skipped.has(n)) continue
        for (const mu of steps[n]) {
          const before = sameLive(liveValue(state.get(mu.key), spec.now), got.get(mu.key))
          state.set(mu.key, mu.state)
          const after = sameLive(liveValue(mu.state, spec.now), got.get(mu.key))
          mismatches += (after ? 0 : 1) - (before ? 0 : 1)
        }
      }
    }
    if (best.mismatches !== 0) {
      const start: Mutation[] = [...initial].filter(([k]) => shardOfKey(k) === s).map(([key, st]) => ({key, state: st}))
      const expect = modelAfter([start, ...steps.slice(0, best.n).filter((_, j) => !best.skipped.has(j))], spec.now)
      const diffs: string[] = []
      for (const k of new Set([...expect.keys(), ...got.keys()])) {
        if (!sameLive(expect.get(k), got.get(k))) diffs.push(`${k}: expected ${describe(expect.get(k))}, recovered ${describe(got.get(k))}`)
      }
      const opt = optional.length > 0 ? ` (${optional.length} of them optional)` : ''
      return `shard ${s}: state is no prefix of its ${steps.length} steps${opt} with at least ${floor} (closest: ${best.n} steps; ${diffs.slice(0, 4).join('; ')}${diffs.length > 4 ? '; …' : ''})`
    }
  }
  return undefined
}

function describe(s: KeyState | undefined): string {
  if (s === undefined) return 'absent'
  const v = s.value!
  const head = v.subarray(0, v.indexOf(0x7c) >= 0 ? v.indexOf(0x7c) : Math.min(v.length, 12)).toString('latin1')
  return `"${head}…" (${v.length} B${s.expiresAt === undefined ? '' : `, expires ${s.expiresAt}`})`
}
