/**
 * The registry as read from DIR/schemas/: every version file decoded and
 * checked (checksum, fields, its name against its contents, versions 1..N
 * without a gap, one id per name). Reading never writes; a damaged file is
 * CORRUPTION naming it. A store without the folder has an empty registry.
 *
 * Loading reads a handful of small files and needs no JSON Schema library:
 * the read path (lazy upgrade) uses only the change lists.
 */
import {corruption, ErrorCode, StrataError, invalidArgument, ioError} from '../errors.js'
import type {FileSystem} from '../vfs/fs.js'
import {nodeFileSystem} from '../vfs/node-fs.js'
import {joinPath, parseSchemaFileName, SCHEMAS_DIR} from '../layout/names.js'
import {COMPATIBILITY_MODES, SCHEMA_FILE_FORMAT, decodeSchemaFile, type Compatibility, type SchemaVersion} from './format.js'
import {parseChanges} from './changes.js'

/** One schema name and its versions (1..latest, in order). */
export interface SchemaEntry {
  readonly name: string
  readonly id: number
  readonly versions: readonly SchemaVersion[]
  /** The mode the next version is checked under (the latest version's). */
  readonly compatibility: Compatibility
}

/** The registry of a store, read at one instant. */
export class SchemaRegistry {
  private readonly byName = new Map<string, SchemaEntry>()
  private readonly byId = new Map<number, SchemaEntry>()

  constructor(entries: readonly SchemaEntry[]) {
    for (const e of entries) {
      this.byName.set(e.name, e)
      this.byId.set(e.id, e)
    }
  }

  /** Every schema, by name. */
  list(): SchemaEntry[] {
    return [...this.byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }

  find(name: string): SchemaEntry | undefined {
    return this.byName.get(name)
  }

  findById(id: number): SchemaEntry | undefined {
    return this.byId.get(id)
  }

  /** The largest id in use (0 for none). */
  maxId(): number {
    let max = 0
    for (const id of this.byId.keys()) max = Math.max(max, id)
    return max
  }

  /** Version `version` of `name` (default: latest); NOT_FOUND when either is unknown. */
  resolve(name: string, version?: number): SchemaVersion {
    const e = this.byName.get(name)
    if (e === undefined) throw new StrataError(ErrorCode.NOT_FOUND, `no schema named "${name}" is registered`, {hint: 'strata schema list shows the registered schemas'})
    if (version === undefined) return e.versions[e.versions.length - 1]
    const v = e.versions[version - 1]
    if (v === undefined) throw new StrataError(ErrorCode.NOT_FOUND, `schema "${name}" has no version ${version} (it has 1 to ${e.versions.length})`)
    return v
  }
}

/** Parses "NAME" or "NAME@V". */
export function parseSchemaSpec(spec: string, what = 'schema'): {name: string; version?: number} {
  const m = /^([A-Za-z][A-Za-z0-9_-]{0,63})(?:@([1-9]\d{0,8}))?$/.exec(spec)
  if (!m) throw invalidArgument(`${what} ${JSON.stringify(spec)} is not NAME or NAME@VERSION`, 'a name is a letter then letters, digits, "_" or "-"; a version is a positive integer')
  return m[2] === undefined ? {name: m[1]} : {name: m[1], version: Number(m[2])}
}

/** Reads the registry of the store in `dir`. */
export function readRegistry(dir: string, fs: FileSystem = nodeFileSystem): SchemaRegistry {
  const folder = joinPath(dir, SCHEMAS_DIR)
  let names: string[]
  try {
    if (!fs.exists(folder)) return new SchemaRegistry([])
    names = fs.readdir(folder)
  } catch (err) {
    throw ioError('read', folder, err)
  }
  const perName = new Map<string, SchemaVersion[]>()
  for (const file of names.sort()) {
    const parsed = parseSchemaFileName(file)
    if (parsed === undefined) continue
    const path = joinPath(folder, file)
    const v = readVersionFile(fs, path, parsed)
    let list = perName.get(v.name)
    if (list === undefined) perName.set(v.name, (list = []))
    list.push(v)
  }
  const entries: SchemaEntry[] = []
  const ids = new Map<number, string>()
  for (const [name, versions] of perName) {
    versions.sort((a, b) => a.version - b.version)
    versions.forEach((v, i) => {
      if (v.version !== i + 1) throw damaged(joinPath(folder, name), `schema "${name}" has version ${v.version} but not version ${i + 1}`)
      if (v.id !== versions[0].id) throw damaged(joinPath(folder, name), `schema "${name}" has id ${versions[0].id} in version 1 but ${v.id} in version ${v.version}`)
    })
    const other = ids.get(versions[0].id)
    if (other !== undefined) throw damaged(folder, `schemas "${other}" and "${name}" have the same id ${versions[0].id}`)
    ids.set(versions[0].id, name)
    entries.push({name, id: versions[0].id, versions, compatibility: versions[versions.length - 1].compatibility})
  }
  return new SchemaRegistry(entries)
}

function damaged(path: string, what: string): StrataError {
  return new StrataError(ErrorCode.CORRUPTION, `${path}: ${what}`, {file: path})
}

/** One version file, decoded and checked against its name. */
function readVersionFile(fs: FileSystem, path: string, named: {name: string; version: number}): SchemaVersion {
  let bytes: Buffer
  try {
    bytes = fs.readFile(path)
  } catch (err) {
    throw ioError('read', path, err)
  }
  const d = decodeSchemaFile(bytes)
  if ('problem' in d) throw corruption(path, 0, d.problem)
  const o = d.object
  const bad = (what: string): never => {
    throw damaged(path, what)
  }
  if (o.format !== SCHEMA_FILE_FORMAT) bad(`format ${JSON.stringify(o.format)} is not ${SCHEMA_FILE_FORMAT}`)
  if (o.name !== named.name || o.version !== named.version) bad(`it holds ${JSON.stringify(o.name)} version ${JSON.stringify(o.version)}, not what its name says`)
  if (typeof o.id !== 'number' || !Number.isSafeInteger(o.id) || o.id < 1) bad(`id ${JSON.stringify(o.id)} is not a positive integer`)
  if (!COMPATIBILITY_MODES.includes(o.compatibility as Compatibility)) bad(`unknown compatibility ${JSON.stringify(o.compatibility)}`)
  if (o.schema === null || typeof o.schema !== 'object' || Array.isArray(o.schema)) bad('"schema" is not an object')
  let changes
  try {
    changes = parseChanges(o.changes, path)
  } catch (err) {
    return bad((err as Error).message)
  }
  return {name: named.name, id: o.id as number, version: named.version, compatibility: o.compatibility as Compatibility, schema: o.schema as Record<string, unknown>, changes}
}
