/**
 * Keys in findings: readable when they are text, exact always.
 *
 * @internal
 */
import {isUtf8} from 'node:buffer'
import type {KeyRange} from './report.js'

/** True when `key` prints as itself: valid UTF-8 with no control characters. */
function printable(key: Uint8Array): boolean {
  if (!isUtf8(key)) return false
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u001f\u007f-\u009f]/.test(Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('utf8'))
}

/** The range [first, last] (one key when `last` is omitted), both in utf8 if both print, else both in hex. */
export function keyRange(first: Uint8Array, last: Uint8Array = first): KeyRange {
  const text = (k: Uint8Array, enc: 'utf8' | 'hex'): string => Buffer.from(k.buffer, k.byteOffset, k.byteLength).toString(enc)
  const encoding = printable(first) && printable(last) ? 'utf8' : 'hex'
  return {first: text(first, encoding), last: text(last, encoding), encoding}
}
