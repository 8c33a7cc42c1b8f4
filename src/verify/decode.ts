/**
 * Running the Kaitai-generated parsers step by step and turning their
 * failures into finding text.
 *
 * The facade's `parseX` functions decode a whole file at once. For a table,
 * verify needs more control: a damaged footer must be reported before the
 * handles it holds are followed, and a damaged data block must not stop the
 * check of the others. So tables are decoded here one instance at a time
 * (the SSTable spec reaches everything through lazy instances), each step
 * mapped to a StrataError exactly as the facade maps a whole-file failure.
 *
 * @internal
 */
import {ErrorCode, StrataError} from '../errors.js'
import {toStrataError, type ParseContext} from '../kaitai/failure.js'
import {streamOf} from '../kaitai/spans.js'
import {Parsers, type StrataSstable} from '../kaitai/index.js'
import {crc32} from '../util/crc.js'
import {BLOCK_TRAILER_SIZE} from '../sstable/format.js'
import type {FileReporter} from './findings.js'
import type {CheckId} from './report.js'

/** The outcome of one decoding step. */
export type Step<T> = {readonly ok: true; readonly value: T} | {readonly ok: false; readonly error: StrataError}

/**
 * Runs `fn`, a facade call or an access to a lazily decoded part of
 * `root`; a decoding failure becomes a StrataError (CORRUPTION or
 * UNSUPPORTED). Anything else - a bug - propagates.
 */
export function step<T>(fn: () => T, root?: {readonly node: object; readonly ctx: ParseContext}): Step<T> {
  try {
    return {ok: true, value: fn()}
  } catch (err) {
    const mapped = root === undefined ? err : toStrataError(err, root.node as never, root.ctx)
    if (mapped instanceof StrataError && (mapped.code === ErrorCode.CORRUPTION || mapped.code === ErrorCode.UNSUPPORTED)) {
      return {ok: false, error: mapped}
    }
    throw mapped
  }
}

/** A table's root parser object and the context its failures are reported in. */
export interface TableRoot {
  readonly node: StrataSstable
  readonly ctx: ParseContext
}

/** A table's root parser object, nothing decoded yet. */
export function openTable(buf: Buffer, file: string): TableRoot {
  const node = new Parsers.StrataSstable(streamOf(buf))
  node._read()
  return {node, ctx: {buf, file, kind: 'SSTable', newestVersion: Parsers.StrataSstable.TableFormat.V2}}
}

/** A StrataError's message without the leading "FILE: " and trailing " at byte N" (findings carry both). */
export function reason(err: StrataError, file: string): string {
  let m = err.message
  if (m.startsWith(`${file}: `)) m = m.slice(file.length + 2)
  return m.replace(/ at byte \d+$/, '')
}

/**
 * True when the last 4 bytes of `buf` are the CRC-32 of the rest: the
 * `checked_span` rule of STORE and manifests, applied to the raw bytes when
 * the parser stopped before reaching its `crc` field.
 */
export function trailingCrcHolds(buf: Buffer): boolean {
  return buf.length >= 4 && crc32(buf.subarray(0, buf.length - 4)) === buf.readUInt32LE(buf.length - 4)
}

/** "0x1234abcd", for checksum messages. */
export function hex32(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`
}

/** `offset` if it lies in the block `h` names (trailer included), else the block's start. */
export function inside(offset: number | undefined, h: StrataSstable.BlockHandle): number {
  return offset !== undefined && offset >= h.offset && offset < h.offset + h.size + BLOCK_TRAILER_SIZE ? offset : h.offset
}

/**
 * A table block's trailer and checksum, then its contents decoded by
 * `decode`. Trailer and checksum failures are sst.block-crc errors, a block
 * that holds its checksum but does not decode is a `decodeCheck` error.
 * Undefined (having reported why) when the block cannot be trusted.
 */
export function checkedBlock<T>(
  r: FileReporter,
  root: TableRoot,
  region: string,
  h: StrataSstable.BlockHandle,
  decodeCheck: CheckId,
  decode: () => T,
): T | undefined {
  const trailer = step(() => h.trailer, root)
  if (!trailer.ok) {
    r.error('sst.block-crc', inside(trailer.error.offset, h), `${region}: trailer ${reason(trailer.error, r.file)}`)
    return undefined
  }
  const span = step(() => h.checkedSpan, root)
  if (!span.ok) {
    r.error('sst.block-crc', h.offset, `${region}: ${reason(span.error, r.file)}`)
    return undefined
  }
  const computed = crc32(span.value)
  if (computed !== trailer.value.crc) {
    r.error('sst.block-crc', h.offset, `${region}: checksum mismatch (stored ${hex32(trailer.value.crc)}, computed ${hex32(computed)})`)
    return undefined
  }
  const body = step(decode, root)
  if (!body.ok) {
    r.error(decodeCheck, inside(body.error.offset, h), `${region} holds its checksum but does not decode: ${reason(body.error, r.file)}`)
    return undefined
  }
  return body.value
}
