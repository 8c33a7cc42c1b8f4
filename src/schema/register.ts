/**
 * Registering a version: the registration document checked (its JSON Schema
 * compiles, its changes parse, it is the next version, it keeps the schema's
 * compatibility mode), then its file written atomically under the writer lock.
 *
 * Commit point: the rename of NAME.NNNNNN.schema.tmp to NAME.NNNNNN.schema,
 * made durable by the folder's sync. A crash before it leaves at most a .tmp
 * file, which the registry ignores and the next registration removes; after
 * it the version is registered whole.
 */
import {invalidArgument, ioError, StrataError} from '../errors.js'
import type {FileSystem} from '../vfs/fs.js'
import {nodeFileSystem} from '../vfs/node-fs.js'
import {syncParent, writeSynced} from '../vfs/durable.js'
import {joinPath, parseSchemaFileName, SCHEMA_NAME, SCHEMAS_DIR, schemaFileName, schemasTmpName} from '../layout/names.js'
import {readDescriptor} from '../store/descriptor.js'
import {acquireWriterLock} from '../store/lock.js'
import {COMPATIBILITY_MODES, DEFAULT_COMPATIBILITY, encodeSchemaFile, type Compatibility, type SchemaVersion} from './format.js'
import {parseChanges} from './changes.js'
import {checkCompatibility} from './compatibility.js'
import {readRegistry} from './registry.js'
import {Validator} from './validate.js'

/** A registration: the contents of `strata schema add --file`. */
export interface SchemaRegistration {
  readonly version: number
  readonly schema: Record<string, unknown>
  /** From version 2 on: the ordered changes from the previous version. */
  readonly changes?: readonly unknown[]
  /** Sets the schema's mode from this version on; default: the mode so far (BACKWARD for a new name). */
  readonly compatibility?: Compatibility
}

/** Options for `registerSchema`. */
export interface RegisterOptions {
  readonly fs?: FileSystem
  /** How long to wait for the writer lock. Default 0. */
  readonly lockTimeoutMs?: number
}

/** What a registration did. */
export interface RegisterResult {
  readonly name: string
  readonly id: number
  readonly version: number
  readonly compatibility: Compatibility
  /** False when this exact version was already registered (nothing written). */
  readonly created: boolean
}

/** Registers `doc` as the next version of schema `name` in the store in `dir`. */
export async function registerSchema(dir: string, name: string, doc: unknown, options: RegisterOptions = {}): Promise<RegisterResult> {
  const fs = options.fs ?? nodeFileSystem
  if (typeof name !== 'string' || !SCHEMA_NAME.test(name)) {
    throw invalidArgument(`schema name ${JSON.stringify(name)} is not valid`, 'a name is a letter, then letters, digits, "_" or "-" (at most 64 characters)')
  }
  readDescriptor(fs, dir)
  const reg = checkDocument(doc)
  const validator = await Validator.load()
  validator.checkSchema(reg.schema, `the schema of version ${reg.version}`)
  const lock = await acquireWriterLock(fs, dir, options.lockTimeoutMs ?? 0)
  try {
    const registry = readRegistry(dir, fs)
    const entry = registry.find(name)
    const earlier = entry?.versions ?? []
    const latest = earlier.length
    const changes = parseChanges(reg.changes, `version ${reg.version}`)
    const mode = reg.compatibility ?? entry?.compatibility ?? DEFAULT_COMPATIBILITY
    const next: SchemaVersion = {name, id: entry?.id ?? registry.maxId() + 1, version: reg.version, compatibility: mode, schema: reg.schema, changes}
    if (reg.version <= latest) {
      // The same document again is accepted (a retried command); anything else is a conflict.
      if (encodeSchemaFile(earlier[reg.version - 1]).equals(encodeSchemaFile(next))) return {name, id: next.id, version: reg.version, compatibility: mode, created: false}
      throw invalidArgument(`schema "${name}" already has a different version ${reg.version}`, `the next version is ${latest + 1}`)
    }
    if (reg.version !== latest + 1) throw invalidArgument(`schema "${name}" has ${latest === 0 ? 'no versions' : `versions 1 to ${latest}`}: the next one is ${latest + 1}, not ${reg.version}`)
    if (reg.version === 1 && changes.length > 0) throw invalidArgument('version 1 has no previous version: give no "changes"')
    checkCompatibility(mode, earlier, next)
    writeVersion(fs, dir, next)
    return {name, id: next.id, version: next.version, compatibility: mode, created: true}
  } finally {
    await lock.release()
  }
}

function checkDocument(doc: unknown): SchemaRegistration {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw invalidArgument('a schema file is a JSON object like {"version": 1, "schema": {...}}')
  const o = doc as Record<string, unknown>
  for (const k of Object.keys(o)) if (!['version', 'schema', 'changes', 'compatibility'].includes(k)) throw invalidArgument(`unknown member "${k}" in the schema file`)
  if (typeof o.version !== 'number' || !Number.isInteger(o.version) || o.version < 1 || o.version > 999_999) throw invalidArgument('"version" must be an integer from 1 to 999999')
  if (o.schema === null || typeof o.schema !== 'object' || Array.isArray(o.schema)) throw invalidArgument('"schema" must be a JSON Schema object')
  if (o.compatibility !== undefined && !COMPATIBILITY_MODES.includes(o.compatibility as Compatibility)) {
    throw invalidArgument(`"compatibility" must be one of ${COMPATIBILITY_MODES.join(', ')}`)
  }
  if (o.changes !== undefined && !Array.isArray(o.changes)) throw invalidArgument('"changes" must be an array')
  return o as unknown as SchemaRegistration
}

/** Writes the file of `v` atomically (see the file comment for the commit point). */
function writeVersion(fs: FileSystem, dir: string, v: SchemaVersion): void {
  const folder = joinPath(dir, SCHEMAS_DIR)
  const file = schemaFileName(v.name, v.version)
  try {
    const created = !fs.exists(folder)
    fs.mkdir(folder)
    if (created) syncParent(fs, dir)
    // Leftovers of registrations that crashed before their rename.
    for (const n of fs.readdir(folder)) {
      if (n.endsWith('.tmp') && parseSchemaFileName(n.slice(0, -4)) !== undefined) fs.unlink(joinPath(folder, n))
    }
    const tmp = joinPath(folder, schemasTmpName(file))
    writeSynced(fs, tmp, encodeSchemaFile(v))
    fs.rename(tmp, joinPath(folder, file))
    fs.syncDir(folder)
  } catch (err) {
    throw err instanceof StrataError ? err : ioError('write', joinPath(folder, file), err)
  }
}
