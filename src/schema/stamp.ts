/**
 * Validated writes: the puts of a batch that name a schema ("NAME" or
 * "NAME@V") are checked against that version before anything is written,
 * and get the reference they are stamped with. Loaded by the store's batch
 * only when some put names a schema (it loads ajv).
 */
import {ErrorCode, StrataError, invalidArgument} from '../errors.js'
import type {BatchOp} from '../api.js'
import type {SchemaRef} from '../record/format.js'
import type {FileSystem} from '../vfs/fs.js'
import {parseSchemaSpec, readRegistry} from './registry.js'
import {Validator, describeFailure} from './validate.js'

/**
 * The reference of each put of `ops` that names a schema, by index. Throws
 * SCHEMA_MISMATCH (naming the key and the JSON pointer of the failing part)
 * for a value that is not JSON or does not validate, NOT_FOUND for an
 * unknown schema or version.
 */
export async function schemaRefs(dir: string, fs: FileSystem, ops: readonly BatchOp[]): Promise<Map<number, SchemaRef>> {
  const registry = readRegistry(dir, fs)
  const validator = await Validator.load()
  const refs = new Map<number, SchemaRef>()
  for (const [i, op] of ops.entries()) {
    if (op.type !== 'put' || op.schema === undefined) continue
    if (typeof op.schema !== 'string') throw invalidArgument('schema must be a string "NAME" or "NAME@VERSION"')
    const spec = parseSchemaSpec(op.schema)
    const v = registry.resolve(spec.name, spec.version)
    const text = typeof op.value === 'string' ? op.value : Buffer.from(op.value.buffer, op.value.byteOffset, op.value.byteLength).toString('utf8')
    const key = keyText(op.key)
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (err) {
      throw new StrataError(ErrorCode.SCHEMA_MISMATCH, `the value of key ${key} is not JSON, so it cannot match schema ${v.name}@${v.version}: ${(err as Error).message}`)
    }
    const failure = validator.validate(v, value)
    if (failure !== undefined) {
      throw new StrataError(ErrorCode.SCHEMA_MISMATCH, `the value of key ${key} does not match schema ${v.name}@${v.version} ${describeFailure(failure)}`)
    }
    refs.set(i, {id: v.id, version: v.version})
  }
  return refs
}

/** A key as it reads in a message: its text quoted if it is printable UTF-8, else 0x and hex. */
export function keyText(k: Uint8Array | string): string {
  if (typeof k === 'string') return JSON.stringify(k)
  const b = Buffer.from(k.buffer, k.byteOffset, k.byteLength)
  const text = b.toString('utf8')
  return Buffer.from(text, 'utf8').equals(b) && !/[\x00-\x1f]/.test(text) ? JSON.stringify(text) : `0x${b.toString('hex')}`
}
