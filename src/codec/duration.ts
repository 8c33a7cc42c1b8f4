/**
 * Durations for `--ttl` and `--lock-timeout`: a number and a unit, ms, s, m,
 * h or d ("500ms", "30s", "1.5h", "7d"). A plain number is seconds ("30" is
 * 30 s). The result must be a whole number of milliseconds, at most 100 years.
 * (In NDJSON batch lines a JSON *number* ttl is milliseconds, as in the
 * library's `ttlMs`; a string ttl is parsed here.)
 */
import {invalidArgument} from '../errors.js'

const UNIT_MS: Readonly<Record<string, number>> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000}
const SYNTAX = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/
/** Longest accepted duration: 100 years. */
export const MAX_DURATION_MS = 100 * 365 * UNIT_MS.d

/** Options for `parseDuration`. */
export interface DurationOptions {
  /** Names the input in errors, e.g. "--ttl". */
  readonly what: string
  /** Whether 0 is accepted (a lock timeout of 0 means "fail at once"). Default false. */
  readonly allowZero?: boolean
}

/** Parses a duration into milliseconds; throws INVALID_ARGUMENT on garbage, zero (unless allowed) or overflow. */
export function parseDuration(text: string, options: DurationOptions): number {
  const {what, allowZero = false} = options
  const hint = 'write a number and a unit: 500ms, 30s, 10m, 2h, 7d (a plain number is seconds)'
  const m = SYNTAX.exec(text.trim())
  if (!m) {
    const neg = /^\s*-/.test(text)
    throw invalidArgument(`${what} ${JSON.stringify(text)} is ${neg ? 'negative' : 'not a duration'}`, hint)
  }
  const ms = Number(m[1]) * UNIT_MS[m[2] ?? 's']
  if (!Number.isInteger(ms)) {
    throw invalidArgument(`${what} ${JSON.stringify(text)} is not a whole number of milliseconds`, hint)
  }
  if (ms === 0 && !allowZero) {
    throw invalidArgument(`${what} must be greater than zero, got ${JSON.stringify(text)}`, hint)
  }
  if (ms > MAX_DURATION_MS) {
    throw invalidArgument(`${what} ${JSON.stringify(text)} is longer than 100 years`)
  }
  return ms
}

/** A short human form of a duration in ms: "450ms", "42s", "9m 59s", "1h 59m", "6d 23h". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`
  const s = Math.floor(ms / 1000)
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return s % 60 ? `${m}m ${s % 60}s` : `${m}m`
  const h = Math.floor(m / 60)
  if (h < 24) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`
  const d = Math.floor(h / 24)
  return h % 24 ? `${d}d ${h % 24}h` : `${d}d`
}
