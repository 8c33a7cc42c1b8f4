/**
 * The lazy upgrade: a record stamped with an older version of its schema is
 * read as the latest version (or a chosen one) by applying the declared
 * changes of each version in between, without writing anything.
 *
 * Contract: unstamped records, and records at or above the target, come back
 * unchanged (the same object, bytes verbatim). An upgraded record's value is
 * the JSON text of the upgraded value (the stored bytes verbatim when the
 * versions between declare no change) and its reference names the target.
 * Where the changes allow, the text is edited instead of parsed and
 * re-serialised (text-upgrade.ts), with the same bytes as the result. The
 * registry is read on the first stamped record only, so reading a store with
 * no schemas costs one `schema === undefined` test per record. No JSON Schema
 * library is loaded: upgrading needs only the change lists.
 */
import type {KeyValue} from '../api.js'
import type {Entry, SchemaRef} from '../record/format.js'
import {logicalValue} from '../record/value.js'
import type {FileSystem} from '../vfs/fs.js'
import {nodeFileSystem} from '../vfs/node-fs.js'
import {ErrorCode, StrataError} from '../errors.js'
import {compileChanges, ConversionFailure, type Upgrader} from './compile.js'
import {readRegistry, type SchemaEntry, type SchemaRegistry} from './registry.js'
import {compileTextChanges, type TextUpgrader} from './text-upgrade.js'

/**
 * A compiled upgrade from one version to another, made once per (schema,
 * from, to): the parsing upgrader and the text-editing one when the changes
 * allow it (text-upgrade.ts), both null when the versions between declare no
 * change, and the reference every upgraded record carries (one object,
 * shared: references are read-only).
 */
interface Compiled {
  readonly parsed: Upgrader | null
  readonly text: TextUpgrader | undefined
  readonly target: SchemaRef
}

/** One schema's compiled upgrades, by [from][to]. */
interface Plan {
  readonly entry: SchemaEntry
  readonly upgraders: (Compiled | undefined)[][]
}

/** A record's value upgraded: the new JSON text and reference, or why it does not convert. */
export type UpgradeResult =
  | {readonly ok: true; readonly value: Buffer; readonly ref: SchemaRef; readonly changed: boolean; /** The upgraded value, parsed, when the parsing path made it (not when no change lies between the versions, nor when the text was edited). */ readonly parsed?: unknown}
  | {readonly ok: false; readonly failure: ConversionFailure}

/** Reads records of one store through the lazy upgrade. */
export class SchemaView {
  private registry?: SchemaRegistry
  /** By schema id: one lookup per record, then array indexing. */
  private readonly plans = new Map<number, Plan>()

  /** `registry` given: use it; else read the one of `dir` on first need. */
  constructor(
    private readonly dir: string,
    private readonly fs: FileSystem = nodeFileSystem,
    registry?: SchemaRegistry,
  ) {
    this.registry = registry
  }

  /** The registry (read on first call). */
  schemas(): SchemaRegistry {
    return (this.registry ??= readRegistry(this.dir, this.fs))
  }

  /** The name of the schema with id `id`; CORRUPTION if the registry has none (a record names an unknown schema). */
  nameOf(id: number): string {
    return this.entry(id).name
  }

  private entry(id: number): SchemaEntry {
    return this.plan(id).entry
  }

  private plan(id: number): Plan {
    let p = this.plans.get(id)
    if (p === undefined) {
      const e = this.schemas().findById(id)
      if (e === undefined) throw new StrataError(ErrorCode.CORRUPTION, `a record names schema id ${id}, which the registry in ${this.dir} does not hold`)
      this.plans.set(id, (p = {entry: e, upgraders: []}))
    }
    return p
  }

  /**
   * The version a record of schema `id` is read at: `toVersion` if given
   * (NOT_FOUND if the schema has no such version), else its latest.
   */
  targetOf(id: number, toVersion?: number): number {
    const e = this.entry(id)
    if (toVersion === undefined) return e.versions.length
    if (toVersion > e.versions.length) throw new StrataError(ErrorCode.NOT_FOUND, `schema "${e.name}" has no version ${toVersion} (it has 1 to ${e.versions.length})`)
    return toVersion
  }

  /** The compiled upgrade from version `from` to `to` of the schema of `p`, compiled on first use. */
  private upgrader(p: Plan, from: number, to: number): Compiled {
    const row = (p.upgraders[from] ??= [])
    let u = row[to]
    if (u === undefined) {
      const changes = p.entry.versions.slice(from, to).flatMap((v) => v.changes)
      const target = {id: p.entry.id, version: to}
      u = row[to] = changes.length === 0 ? {parsed: null, text: undefined, target} : {parsed: compileChanges(changes), text: compileTextChanges(changes), target}
    }
    return u
  }

  /** The stamped value `bytes` at `ref` upgraded to version `to` (unchanged when ref.version >= to). */
  upgradeValue(bytes: Buffer, ref: SchemaRef, to: number): UpgradeResult {
    if (ref.version >= to) return {ok: true, value: bytes, ref, changed: false}
    return this.upgradeWith(this.upgrader(this.plan(ref.id), ref.version, to), bytes)
  }

  private upgradeWith(up: Compiled, bytes: Buffer): UpgradeResult {
    const target = up.target
    // No declared change between the versions: the stored bytes are the value at `to`.
    if (up.parsed === null) return {ok: true, value: bytes, ref: target, changed: true}
    // The text edit when it can prove its result equals the parsing path's; else that path.
    const t = up.text?.(bytes)
    if (t !== undefined) {
      if ('fail' in t) return {ok: false, failure: t.fail}
      return {ok: true, value: t.bytes, ref: target, changed: true}
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(bytes.toString('utf8'))
    } catch {
      return {ok: false, failure: new ConversionFailure('', 'the stored value is not JSON')}
    }
    const r = up.parsed(parsed)
    if ('fail' in r) return {ok: false, failure: r.fail}
    return {ok: true, value: Buffer.from(JSON.stringify(r.value), 'utf8'), ref: target, changed: true, parsed: r.value}
  }

  /**
   * `kv` as read through the upgrade (to `toVersion`, default the latest).
   * A record that does not convert is returned as stored.
   */
  upgrade(kv: KeyValue, toVersion?: number): KeyValue {
    const ref = kv.schema
    if (ref === undefined) return kv
    // One lookup of the schema per record: the target, then the compiled upgrade.
    const p = this.plan(ref.id)
    const to = toVersion === undefined ? p.entry.versions.length : this.targetOf(ref.id, toVersion)
    if (ref.version >= to) return kv
    const r = this.upgradeWith(this.upgrader(p, ref.version, to), kv.value)
    if (!r.ok) return kv
    return {...kv, value: r.value, schema: r.ref, json: true}
  }

  /** Entry `e` as read through the upgrade: for the digest of the upgraded view. */
  upgradeEntry(e: Entry, toVersion?: number): Entry {
    const ref = e.schema
    if (ref === undefined) return e
    const r = this.upgradeValue(logicalValue(e), ref, this.targetOf(ref.id, toVersion))
    if (!r.ok || !r.changed) return e
    const {codec: _codec, ...rest} = e
    return {...rest, value: r.value, schema: r.ref, json: true}
  }
}
