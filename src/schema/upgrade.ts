/**
 * The lazy upgrade: a record stamped with an older version of its schema is
 * read as the latest version (or a chosen one) by applying the declared
 * changes of each version in between, without writing anything.
 *
 * Contract: unstamped records, and records at or above the target, come back
 * unchanged (the same object, bytes verbatim). An upgraded record's value is
 * the JSON text of the upgraded value and its reference names the target. The
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
import {applyChangesInPlace, ConversionFailure} from './changes.js'
import type {SchemaChange} from './format.js'
import {readRegistry, type SchemaRegistry} from './registry.js'

/** A record's value upgraded: the new JSON text and reference, or why it does not convert. */
export type UpgradeResult =
  | {readonly ok: true; readonly value: Buffer; readonly ref: SchemaRef; readonly changed: boolean; /** The upgraded value, parsed (when changed). */ readonly parsed?: unknown}
  | {readonly ok: false; readonly failure: ConversionFailure}

/** Reads records of one store through the lazy upgrade. */
export class SchemaView {
  private registry?: SchemaRegistry
  private readonly chains = new Map<string, readonly SchemaChange[]>()

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

  private entry(id: number) {
    const e = this.schemas().findById(id)
    if (e === undefined) throw new StrataError(ErrorCode.CORRUPTION, `a record names schema id ${id}, which the registry in ${this.dir} does not hold`)
    return e
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

  /** The changes from version `from` to `to` of schema `id`, in order. */
  private chain(id: number, from: number, to: number): readonly SchemaChange[] {
    const k = `${id}:${from}:${to}`
    let c = this.chains.get(k)
    if (c === undefined) {
      const versions = this.entry(id).versions
      c = versions.slice(from, to).flatMap((v) => v.changes)
      this.chains.set(k, c)
    }
    return c
  }

  /** The stamped value `bytes` at `ref` upgraded to version `to` (unchanged when ref.version >= to). */
  upgradeValue(bytes: Buffer, ref: SchemaRef, to: number): UpgradeResult {
    if (ref.version >= to) return {ok: true, value: bytes, ref, changed: false}
    let parsed: unknown
    try {
      parsed = JSON.parse(bytes.toString('utf8'))
    } catch {
      return {ok: false, failure: new ConversionFailure('', 'the stored value is not JSON')}
    }
    const r = applyChangesInPlace(parsed, this.chain(ref.id, ref.version, to))
    if ('fail' in r) return {ok: false, failure: r.fail}
    return {ok: true, value: Buffer.from(JSON.stringify(r.value), 'utf8'), ref: {id: ref.id, version: to}, changed: true, parsed: r.value}
  }

  /**
   * `kv` as read through the upgrade (to `toVersion`, default the latest).
   * A record that does not convert is returned as stored.
   */
  upgrade(kv: KeyValue, toVersion?: number): KeyValue {
    const ref = kv.schema
    if (ref === undefined) return kv
    const r = this.upgradeValue(kv.value, ref, this.targetOf(ref.id, toVersion))
    if (!r.ok || !r.changed) return kv
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
