/**
 * A chunk of import operations as two transferable arrays, so a worker
 * thread can hand parsed chunks to the main thread without copying them
 * again or cloning an object per record:
 *
 *   meta  Float64Array, OP_SLOTS numbers per op:
 *         kind (0 put, 1 delete), key length, value length, json (0 | 1),
 *         ttlMs (NaN if none), expiresAt (NaN if none)
 *   data  Uint8Array: each op's key bytes then value bytes, in op order
 *   schemas  the "schema" of the puts that name one, by op index (absent if none does)
 *
 * `unpackOps` returns keys and values as views into `data`.
 */
import type {BatchOp} from '../engine.js'

const OP_SLOTS = 6
const PUT = 0
const DEL = 1

/** A chunk's ops, packed. */
export interface PackedOps {
  readonly meta: Float64Array
  readonly data: Uint8Array
  readonly schemas?: Readonly<Record<number, string>>
}

/** Packs `ops` (keys and values as Uint8Array) into arrays with buffers of their own. */
export function packOps(ops: readonly BatchOp[]): PackedOps {
  const meta = new Float64Array(ops.length * OP_SLOTS)
  let size = 0
  for (const op of ops) size += op.key.length + (op.type === 'put' ? op.value.length : 0)
  const data = new Uint8Array(size)
  let at = 0
  let m = 0
  let schemas: Record<number, string> | undefined
  for (const [i, op] of ops.entries()) {
    if (op.type === 'put' && op.schema !== undefined) (schemas ??= {})[i] = op.schema
    const key = op.key as Uint8Array
    data.set(key, at)
    at += key.length
    if (op.type === 'put') {
      const value = op.value as Uint8Array
      data.set(value, at)
      at += value.length
      meta[m] = PUT
      meta[m + 2] = value.length
      meta[m + 3] = op.json ? 1 : 0
      meta[m + 4] = op.ttlMs ?? Number.NaN
      meta[m + 5] = op.expiresAt ?? Number.NaN
    } else {
      meta[m] = DEL
    }
    meta[m + 1] = key.length
    m += OP_SLOTS
  }
  return schemas === undefined ? {meta, data} : {meta, data, schemas}
}

/** The ops `packOps` packed; keys and values are Buffers viewing `packed.data`. */
export function unpackOps(packed: PackedOps): BatchOp[] {
  const {meta, data} = packed
  const ops: BatchOp[] = []
  let at = data.byteOffset
  for (let m = 0; m < meta.length; m += OP_SLOTS) {
    const keyLength = meta[m + 1]
    const key = Buffer.from(data.buffer, at, keyLength)
    at += keyLength
    if (meta[m] === DEL) {
      ops.push({type: 'del', key})
      continue
    }
    const valueLength = meta[m + 2]
    const value = Buffer.from(data.buffer, at, valueLength)
    at += valueLength
    const op: {type: 'put'; key: Buffer; value: Buffer; json: boolean; ttlMs?: number; expiresAt?: number; schema?: string} = {type: 'put', key, value, json: meta[m + 3] === 1}
    const schema = packed.schemas?.[m / OP_SLOTS]
    if (schema !== undefined) op.schema = schema
    if (!Number.isNaN(meta[m + 4])) op.ttlMs = meta[m + 4]
    if (!Number.isNaN(meta[m + 5])) op.expiresAt = meta[m + 5]
    ops.push(op)
  }
  return ops
}
