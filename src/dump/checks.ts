/**
 * Checksums as dump verifies them. The Kaitai specs decode structure but do
 * not verify checksums; each one exposes the bytes its crc covers
 * (`checked_span`), and the crc is recomputed over them here.
 *
 * A `Problems` collector decides what a mismatch does: in strict mode
 * (summaries and records) the first one throws CORRUPTION naming the file
 * and offset; in lenient mode (--hex and --layout, whose point is to show
 * the damage) it is recorded, shown, and thrown once the output is written.
 */
import {StrataError, corruption} from '../errors.js'
import {crc32} from '../util/crc.js'

/** One checksum: the stored value, the recomputed one, and where it is. */
export interface CrcCheck {
  readonly stored: number
  readonly computed: number
  readonly ok: boolean
  /** File offset of the stored crc field. */
  readonly offset: number
}

/** Recomputes a crc over `span` and compares it with `stored`. */
export function checkCrc(span: Uint8Array, stored: number, offset: number): CrcCheck {
  const computed = crc32(span)
  return {stored, computed, ok: computed === stored, offset}
}

/** "0x1a2b3c4d". */
export function hex32(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`
}

/** Collects corruption found while dumping; see the file comment. */
export class Problems {
  private first: StrataError | undefined

  constructor(readonly lenient: boolean) {}

  /** Reports a bad checksum: throws at once unless lenient. `what` names the checked bytes ("footer", "data block 3"). */
  crc(file: string, what: string, check: CrcCheck, at: number = check.offset): void {
    if (check.ok) return
    this.report(corruption(file, at, `${what} checksum mismatch (stored ${hex32(check.stored)}, computed ${hex32(check.computed)})`))
  }

  /** Reports any corruption error. */
  report(err: StrataError): void {
    if (!this.lenient) throw err
    this.first ??= err
  }

  /** Throws the first problem recorded in lenient mode, if any. */
  throwIfAny(): void {
    if (this.first !== undefined) throw this.first
  }
}
