/**
 * Turns what a generated parser throws on bad input into a StrataError:
 * CORRUPTION naming the file, the byte offset and the field path, or
 * UNSUPPORTED for a format version (or STORE hash id) newer than the specs
 * know, by the same rules as the engine's readers. Anything else is a bug and is rethrown.
 *
 * @internal
 */
import {ErrorCode, StrataError} from '../errors.js'
import {crc32} from '../util/crc.js'
import {failurePoint, type KaitaiNode} from './spans.js'

/** What is being parsed, for messages and version rules. */
export interface ParseContext {
  readonly buf: Buffer
  readonly file: string
  /** 'WAL', 'SSTable', 'manifest' or 'STORE'. */
  readonly kind: string
  /** Newest format version the spec knows. */
  readonly newestVersion: number
}

/** True for what a parser throws on bad input (as opposed to a bug). */
function isDecodeFailure(err: unknown): err is Error {
  if (!(err instanceof Error)) return false
  if (err.name === 'EOFError' || /^Validation\w*Error$/.test(err.name)) return true
  if (err instanceof RangeError) return true // an impossible length, or an inflate over the limit
  const code = (err as NodeJS.ErrnoException).code
  return typeof code === 'string' && code.startsWith('Z_')
}

/** True if the checksum covering the whole of a STORE or manifest (its last 4 bytes) holds. */
function wholeFileCrcOk(buf: Buffer): boolean {
  return buf.length >= 4 && crc32(buf.subarray(0, buf.length - 4)) === buf.readUInt32LE(buf.length - 4)
}

/**
 * Whether a value the specs do not know is a feature of a newer strata
 * (UNSUPPORTED) rather than damage, by the engine's rules: an unknown
 * format_version counts once the magic is right (the parser checked it
 * first) and the checksum covering the version holds (footer crc for a table,
 * header crc for a WAL, whole-file crc for STORE and manifests); an unknown
 * STORE hash_id counts once the STORE crc holds.
 */
function unsupported(ctx: ParseContext, path: string, actual: number): boolean {
  if (/(^|\.)format_version$/.test(path)) {
    if (actual <= ctx.newestVersion) return false
    if (ctx.kind === 'SSTable') {
      const at = ctx.buf.length - 52
      return at >= 0 && crc32(ctx.buf.subarray(at, at + 40)) === ctx.buf.readUInt32LE(at + 40)
    }
    // The WAL header's crc (bytes 16..19 over 0..15) and the whole-file crc of
    // STORE and manifests are fixed in every version: a version whose crc fails is damage.
    if (ctx.kind === 'WAL') return ctx.buf.length >= 20 && crc32(ctx.buf.subarray(0, 16)) === ctx.buf.readUInt32LE(16)
    return wholeFileCrcOk(ctx.buf)
  }
  return ctx.kind === 'STORE' && path === 'hash_id' && wholeFileCrcOk(ctx.buf)
}

/**
 * A value from a validation error for a message: byte strings (magic
 * numbers) as hex with their printable text, `0x5354524154415442
 * ("STRATATB")`, never as a list of decimal numbers.
 */
function valueText(v: unknown): string {
  if (!(v instanceof Uint8Array) && !(Array.isArray(v) && v.every((b) => Number.isInteger(b) && b >= 0 && b <= 255))) return String(v)
  const bytes = Buffer.from(v as ArrayLike<number>)
  const text = [...bytes].map((b) => (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : '.')).join('')
  return `0x${bytes.toString('hex')} ("${text}")`
}

/** The StrataError for `err`, thrown while parsing `root`; `err` itself if it is not a decode failure. */
export function toStrataError(err: unknown, root: KaitaiNode, ctx: ParseContext): unknown {
  if (err instanceof StrataError || !isDecodeFailure(err)) return err
  const {file, kind} = ctx
  const point = failurePoint(root)
  const path = point?.path || kind
  const offset = point?.offset !== undefined ? {offset: point.offset} : {}
  const actual = (err as {actual?: unknown}).actual
  if (err.name === 'ValidationNotInEnumError' && typeof actual === 'number' && unsupported(ctx, path, actual)) {
    const what = path === 'hash_id' ? `key hash id ${actual} is unknown to this strata` : `${kind} format version ${actual} is newer than this strata supports (${ctx.newestVersion})`
    return new StrataError(ErrorCode.UNSUPPORTED, `${file}: ${what}`, {file, ...offset, hint: 'upgrade strata to read this file'})
  }
  let reason = err.message
  if (err.name === 'EOFError') reason = `runs past the end of the data (${err.message})`
  else if ((err as NodeJS.ErrnoException).code?.startsWith('Z_')) reason = `bad zlib stream (${err.message})`
  else if (err.name === 'ValidationNotEqualError') {
    const {expected} = err as {expected?: unknown}
    reason = `fails validation: expected ${valueText(expected)}, got ${valueText(actual)}`
  } else if (err.name.startsWith('Validation')) reason = `fails validation: ${err.message}`
  else reason = `cannot be decoded (${err.message})`
  const inside = point?.inflatedAt !== undefined ? ` (byte ${point.inflatedAt} of the inflated block)` : ''
  // The same shape as errors.ts corruption(): "FILE: WHAT at byte N".
  const at = point?.offset !== undefined ? ` at byte ${point.offset}` : ''
  return new StrataError(ErrorCode.CORRUPTION, `${file}: ${kind} ${path} ${reason}${inside}${at}`, {file, ...offset, cause: err})
}
