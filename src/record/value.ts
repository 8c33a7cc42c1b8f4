/**
 * The logical value of a record: its stored bytes with the value codec undone.
 * Everything that hands a value to a user or hashes its content (reads, explain,
 * the digest) goes through here, so a value reads the same whatever codec
 * stored it.
 */
import * as zlib from 'node:zlib'
import {ErrorCode, StrataError} from '../errors.js'
import {MAX_VALUE_BYTES, ValueCodec, type Entry} from './format.js'

/**
 * The value of `e` as the user wrote it. A raw value is returned as is (a
 * view, not a copy). A zlib value that does not inflate, or inflates past the
 * value limit, is CORRUPTION.
 */
export function logicalValue(e: Entry): Buffer {
  if (e.codec !== ValueCodec.ZLIB) return e.value
  try {
    return zlib.inflateSync(e.value, {maxOutputLength: MAX_VALUE_BYTES})
  } catch (err) {
    throw new StrataError(ErrorCode.CORRUPTION, `the zlib value of key ${e.key.toString('hex')} (seq ${e.seq}) does not inflate: ${(err as Error).message}`, {cause: err})
  }
}
