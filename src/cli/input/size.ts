/**
 * Byte sizes for `--cache-size`: a whole number with an optional binary unit,
 * B, K/KiB, M/MiB or G/GiB (1024-based; "KB", "MB" and "GB" mean the same),
 * case-insensitive: "0", "65536", "512K", "64MiB", "1g".
 */
import {ErrorCode} from '../../errors.js'
import {CliError} from '../oclif/cli-error.js'

const UNIT: Readonly<Record<string, number>> = {'': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3}
const SYNTAX = /^(\d+)\s*(?:([kmg])(?:i?b)?|(b))?$/i
/** Largest accepted size: 64 GiB. */
export const MAX_SIZE_BYTES = 64 * 1024 ** 3

/** Parses a size into bytes; throws INVALID_ARGUMENT (exit 2) on garbage or more than MAX_SIZE_BYTES. `what` names the input. */
export function parseSize(text: string, what: string): number {
  const hint = 'write a whole number of bytes with an optional unit: 0, 65536, 512K, 64MiB, 1G'
  const m = SYNTAX.exec(text.trim())
  if (!m) throw new CliError(ErrorCode.INVALID_ARGUMENT, `${what} ${JSON.stringify(text)} is not a size`, hint)
  const bytes = Number(m[1]) * UNIT[(m[2] ?? m[3] ?? '').toLowerCase()]
  if (!Number.isSafeInteger(bytes) || bytes > MAX_SIZE_BYTES) {
    throw new CliError(ErrorCode.INVALID_ARGUMENT, `${what} ${JSON.stringify(text)} is more than 64 GiB`)
  }
  return bytes
}
