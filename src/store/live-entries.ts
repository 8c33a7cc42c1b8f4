/**
 * The live records of one shard in a key selection, judged at one instant:
 * what the digest hashes and the NDJSON export writes, read the same way by
 * both so that an export and a digest of the same store agree on what is live.
 *
 * A selection is [from, to) narrowed by a prefix. Unlike a scan's range, one
 * with from == to (or a prefix outside the range) is not an error: it selects
 * nothing. A reversed one (from above to) is INVALID_ARGUMENT.
 */
import {invalidArgument} from '../errors.js'
import type {Store} from '../api.js'
import {isLive, type Entry} from '../record/format.js'
import {shardVersions} from './open.js'
import {toBytes} from './write-input.js'

/** Bounds as a caller gives them: bytes or UTF-8 strings. */
export interface KeySelectionOptions {
  /** First key of the range (included). */
  readonly from?: Uint8Array | string
  /** End of the range (excluded). Must not be below `from`. */
  readonly to?: Uint8Array | string
  /** Only keys starting with this; combines with from/to. */
  readonly prefix?: Uint8Array | string
}

/** The scan bounds of a selection: from raised to the prefix; the prefix itself is checked per key. */
export interface KeySelection {
  readonly from?: Buffer
  readonly to?: Buffer
  readonly prefix?: Buffer
  /** No key can be selected (from == to, or the prefix lies outside [from, to)). */
  readonly empty: boolean
}

/** The instant expiry is judged at: `at` (checked), or the clock read now. */
export function instantOf(at: number | undefined): number {
  const instant = at ?? Date.now()
  if (!Number.isSafeInteger(instant) || instant < 0) throw invalidArgument(`at must be a non-negative integer of ms since the epoch, got ${instant}`)
  return instant
}

/** Checks and converts `options`; INVALID_ARGUMENT for a reversed range. */
export function keySelection(options: KeySelectionOptions): KeySelection {
  let from = options.from === undefined ? undefined : toBytes(options.from, 'from')
  const to = options.to === undefined ? undefined : toBytes(options.to, 'to')
  if (from !== undefined && to !== undefined && Buffer.compare(from, to) > 0) {
    throw invalidArgument('the range is reversed: from must not be above to', 'the range is [from, to): from is included, to is not')
  }
  let prefix = options.prefix === undefined ? undefined : toBytes(options.prefix, 'prefix')
  if (prefix !== undefined && prefix.length === 0) prefix = undefined
  if (prefix !== undefined && (from === undefined || Buffer.compare(from, prefix) < 0)) from = prefix
  const empty = from !== undefined && to !== undefined && Buffer.compare(from, to) >= 0
  return {...(from ? {from} : {}), ...(to ? {to} : {}), ...(prefix ? {prefix} : {}), empty}
}

/**
 * The live entries (puts not expired at `at`) of shard `index` of `store` in
 * `selection`, in key order. REQUIRES: `store` was returned by `open` (or is
 * a cut's view), 0 <= index < shardCount.
 */
export function* liveEntries(store: Store, index: number, selection: KeySelection, at: number): Generator<Entry> {
  if (selection.empty) return
  const {prefix} = selection
  for (const e of shardVersions(store, index, selection.from, selection.to)) {
    // Keys come in order and those with the prefix are contiguous from it: the first key without it ends the range.
    if (prefix !== undefined && !startsWith(e.key, prefix)) return
    if (isLive(e, at)) yield e
  }
}

function startsWith(key: Buffer, prefix: Buffer): boolean {
  return key.length >= prefix.length && key.compare(prefix, 0, prefix.length, 0, prefix.length) === 0
}
