/**
 * What a migration looks at and how it converts one record: the records of
 * one schema (by id) whose keys fall in [from, to) and under the prefix,
 * and each one's value upgraded through the declared changes to the target
 * version and validated against it. Shared by the dry run, the run and the
 * proof, so that all three judge a record the same way.
 */
import {isLive, type Entry, type SchemaRef} from '../record/format.js'
import {logicalValue} from '../record/value.js'
import type {Store} from '../api.js'
import {shardVersions} from '../store/open.js'
import type {SchemaVersion} from '../schema/format.js'
import type {SchemaView} from '../schema/upgrade.js'
import {describeFailure, type Validator} from '../schema/validate.js'

/** The keys a migration covers: [from, to), under `prefix`. */
export interface KeySelection {
  readonly from?: Buffer
  readonly to?: Buffer
  readonly prefix?: Buffer
}

/** One record judged against the target. */
export type Judgement =
  | {readonly kind: 'current'}
  | {readonly kind: 'convert'; readonly value: Buffer}
  | {readonly kind: 'fail'; readonly reason: string}

/** Converts records of one schema to one version. */
export class Converter {
  /** The reference of every converted record (one object: references are read-only). */
  private ref: SchemaRef | undefined

  constructor(
    private readonly view: SchemaView,
    private readonly validator: Validator,
    readonly target: SchemaVersion,
  ) {}

  /** Whether `e` is a record this migration covers (its schema, its key range). */
  covers(e: Entry, keys: KeySelection): boolean {
    return e.schema?.id === this.target.id && inSelection(e.key, keys)
  }

  /** `e` (a covered record) judged: at or past the target, converted and valid, or why not. */
  judge(e: Entry): Judgement {
    const ref = e.schema!
    if (ref.version >= this.target.version) return {kind: 'current'}
    const r = this.view.upgradeValue(logicalValue(e), ref, this.target.version)
    if (!r.ok) return {kind: 'fail', reason: r.failure.toString()}
    let parsed = r.parsed
    if (parsed === undefined) {
      try {
        parsed = JSON.parse(r.value.toString('utf8'))
      } catch {
        return {kind: 'fail', reason: 'the stored value is not JSON'}
      }
    }
    const failure = this.validator.validate(this.target, parsed)
    if (failure !== undefined) return {kind: 'fail', reason: `the converted value does not match version ${this.target.version} ${describeFailure(failure)}`}
    return {kind: 'convert', value: r.value}
  }

  /** Whether `e`, a covered record stored at the target version, is JSON that validates against it. */
  validAtTarget(e: Entry): boolean {
    let value: unknown
    try {
      value = JSON.parse(logicalValue(e).toString('utf8'))
    } catch {
      return false
    }
    return this.validator.validate(this.target, value) === undefined
  }

  /** The record a run writes for `e` judged `j` (convert), as the digest hashes it: `e` itself for any other judgement. */
  viewOf(e: Entry, j: Judgement): Entry {
    if (j.kind !== 'convert') return e
    // Every field of the record but its codec (the value is plain JSON now), built field by field: an object rest costs more, once per record.
    const schema = (this.ref ??= {id: this.target.id, version: this.target.version})
    if (e.expiresAt === undefined) return {key: e.key, seq: e.seq, kind: e.kind, value: j.value, json: true, schema}
    return {key: e.key, seq: e.seq, kind: e.kind, value: j.value, expiresAt: e.expiresAt, json: true, schema}
  }

  /** `e` as it reads through the lazy upgrade to the target: what the run would write for it, or itself. */
  upgraded(e: Entry, keys: KeySelection): Entry {
    return this.covers(e, keys) ? this.viewOf(e, this.judge(e)) : e
  }
}

/** Whether `key` is in the selection. */
export function inSelection(key: Buffer, keys: KeySelection): boolean {
  if (keys.from !== undefined && Buffer.compare(key, keys.from) < 0) return false
  if (keys.to !== undefined && Buffer.compare(key, keys.to) >= 0) return false
  return keys.prefix === undefined || (key.length >= keys.prefix.length && key.compare(keys.prefix, 0, keys.prefix.length, 0, keys.prefix.length) === 0)
}

/**
 * The live records of shard `index` in the selection, in key order, after
 * key `after` when given. Reads one snapshot of the shard, released when
 * the caller stops iterating.
 */
export function* selectedRecords(store: Store, index: number, keys: KeySelection, now: number, after?: Buffer): Generator<Entry> {
  let from = keys.from
  if (keys.prefix !== undefined && (from === undefined || Buffer.compare(from, keys.prefix) < 0)) from = keys.prefix
  if (after !== undefined && (from === undefined || Buffer.compare(from, after) <= 0)) from = after
  for (const e of shardVersions(store, index, from, keys.to)) {
    if (after !== undefined && e.key.equals(after)) continue
    if (keys.prefix !== undefined && !inSelection(e.key, {prefix: keys.prefix})) return
    if (isLive(e, now)) yield e
  }
}
