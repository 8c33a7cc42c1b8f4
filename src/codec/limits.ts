/**
 * Size checks on keys and values, with messages that name the input ("key",
 * "line 7: value"): the CLI runs them before it opens the store, and the
 * NDJSON import before a chunk is written, so bad input never touches the
 * data directory. Limits come from the record format.
 */
import {invalidArgument} from '../errors.js'
import {MAX_KEY_BYTES, MAX_VALUE_BYTES} from '../record/format.js'

/** "64 KiB", "64 MiB", "1.5 MiB", "312 B". */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let v = n
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return i === 0 ? `${n} B` : `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[i]}`
}

/** Throws INVALID_ARGUMENT unless `key` is 1..MAX_KEY_BYTES bytes. `what` names it ("key", "line 7: key"). */
export function checkKey(key: Uint8Array, what = 'key'): void {
  if (key.length === 0) {
    throw invalidArgument( `${what} is empty; keys are 1 to ${MAX_KEY_BYTES} bytes`)
  }
  if (key.length > MAX_KEY_BYTES) {
    throw invalidArgument(
      `${what} is ${key.length} bytes, over the limit of ${MAX_KEY_BYTES} bytes (${formatBytes(MAX_KEY_BYTES)})`)
  }
}

/** Throws INVALID_ARGUMENT if a value of `size` bytes is over MAX_VALUE_BYTES. */
export function checkValueSize(size: number, what = 'value'): void {
  if (size > MAX_VALUE_BYTES) {
    throw invalidArgument(
      `${what} is ${size} bytes, over the limit of ${MAX_VALUE_BYTES} bytes (${formatBytes(MAX_VALUE_BYTES)})`,
      'values are at most 64 MiB; store larger data in pieces under several keys')
  }
}
