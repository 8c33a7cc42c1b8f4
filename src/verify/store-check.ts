/**
 * store.descriptor: STORE decodes (formats/strata_store.ksy) and its
 * checksum holds.
 *
 * @internal
 */
import {ErrorCode, StrataError} from '../errors.js'
import {fieldSpan, parseStore} from '../kaitai/index.js'
import {crc32} from '../util/crc.js'
import type {FileReporter} from './findings.js'
import {hex32, reason, step, trailingCrcHolds} from './decode.js'
import {decodeDescriptor} from '../store/descriptor.js'

/** What STORE says, once it is known to be intact. */
export interface StoreFacts {
  readonly shardCount: number
  /** STORE's shard generation: the suffix of the live shard folders. */
  readonly shardGeneration: number
}

/**
 * Checks STORE's bytes. Returns its facts when it can be trusted (decodes,
 * checksum holds), else undefined after reporting why. A STORE of a newer
 * format whose checksum holds is UNSUPPORTED (thrown): nothing in the
 * directory can be checked by this strata.
 */
export function checkStoreFile(r: FileReporter, buf: Buffer, path: string): StoreFacts | undefined {
  const parsed = step(() => parseStore(buf, r.file))
  if (!parsed.ok) {
    const err = parsed.error
    if (err.code === ErrorCode.UNSUPPORTED) {
      // The parser calls any version above its newest UNSUPPORTED; a damaged version byte is told apart by the checksum.
      if (trailingCrcHolds(buf)) {
        throw new StrataError(ErrorCode.UNSUPPORTED, `${path}: ${reason(err, r.file)}`, {file: path, offset: err.offset ?? 8, hint: 'upgrade strata to verify this store'})
      }
      r.error('store.descriptor', err.offset ?? 8, `${reason(err, r.file)}, and the STORE checksum does not hold: the descriptor is damaged`)
      return undefined
    }
    r.error('store.descriptor', err.offset ?? 0, reason(err, r.file))
    return undefined
  }
  const s = parsed.value
  const computed = crc32(s.checkedSpan)
  if (computed !== s.crc) {
    r.error('store.descriptor', 0, `STORE checksum mismatch over bytes 0..${buf.length - 5} (stored ${hex32(s.crc)}, computed ${hex32(computed)})`)
    return undefined
  }
  if (s.reserved !== 0) {
    r.error('store.descriptor', fieldSpan(s, s, 'reserved')?.offset ?? 18, `reserved field is ${s.reserved}, not 0: the engine refuses this STORE`)
    return {shardCount: s.shardCount, shardGeneration: s.shardGeneration}
  }
  // Whatever else the engine's own decoder refuses (a field out of its range, such as a creation
  // time past 2^53 ms) is damage too: verify never calls a STORE sound that the store will not open.
  const engine = step(() => decodeDescriptor(buf, path))
  if (!engine.ok) {
    if (engine.error.code !== ErrorCode.CORRUPTION) throw engine.error
    r.error('store.descriptor', engine.error.offset ?? 0, `the engine refuses this STORE: ${engine.error.message}`)
    return undefined
  }
  return {shardCount: s.shardCount, shardGeneration: s.shardGeneration}
}
