/**
 * The conversions of a `retype` change: how a value of one JSON type becomes
 * another, strictly. Each is total on the values it names and refuses the rest
 * with a reason, never guessing:
 *
 *   string   ← number (as JavaScript prints it: 42, 1.5, 1e+21), boolean ("true"/"false")
 *   number   ← integer or number (unchanged); string in JSON number syntax ("42", "-1.5e3")
 *   integer  ← number with no fractional part; string of a JSON integer ("42", "-7"); both safe integers
 *   boolean  ← string "true" / "false"
 *   iso-date ← epoch-ms: an integer of ms since the epoch, as "2024-01-31T12:00:00.000Z"
 *   epoch-ms ← iso-date: a string "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM[:SS[.sss]](Z|±HH:MM)", as an integer of ms
 *
 * A value already of the target type is returned as is. null, arrays and
 * objects convert to nothing.
 */
import type {RetypeTarget} from './format.js'

/** The JSON number syntax (RFC 8259), whole string. */
const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/
const JSON_INTEGER = /^-?(0|[1-9]\d*)$/
/** ISO 8601 calendar date, optionally with a time and a zone (required with a time, so the instant is unambiguous). */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/
/** Largest |ms| a Date holds (ECMA-262: ±8.64e15). */
const MAX_DATE_MS = 8.64e15

/** `value` converted to `to`, or {fail: reason}. */
export function convertValue(value: unknown, to: RetypeTarget): {value: unknown} | {fail: string} {
  // Shown only in a refusal: printing it for every converted value would cost a JSON.stringify each.
  const shown = (): string => show(value)
  switch (to) {
    case 'string':
      if (typeof value === 'string') return {value}
      if (typeof value === 'number' && Number.isFinite(value)) return {value: String(value)}
      if (typeof value === 'boolean') return {value: String(value)}
      break
    case 'number':
      if (typeof value === 'number') return {value}
      if (typeof value === 'string' && JSON_NUMBER.test(value)) {
        const n = Number(value)
        if (Number.isFinite(n)) return {value: n}
        return {fail: `${shown()} is out of the range of a number`}
      }
      break
    case 'integer':
      if (typeof value === 'number' && Number.isInteger(value)) {
        return Number.isSafeInteger(value) ? {value} : {fail: `${shown()} is not a safe integer`}
      }
      if (typeof value === 'string' && JSON_INTEGER.test(value)) {
        const n = Number(value)
        return Number.isSafeInteger(n) ? {value: n} : {fail: `${shown()} is not a safe integer`}
      }
      break
    case 'boolean':
      if (typeof value === 'boolean') return {value}
      if (value === 'true' || value === 'false') return {value: value === 'true'}
      break
    case 'iso-date':
      if (typeof value === 'string' && isoDateMs(value) !== undefined) return {value}
      if (typeof value === 'number' && Number.isInteger(value)) {
        if (Math.abs(value) <= MAX_DATE_MS) return {value: new Date(value).toISOString()}
        return {fail: `${shown()} ms is outside the range of a date`}
      }
      break
    case 'epoch-ms':
      if (typeof value === 'number' && Number.isInteger(value)) return {value}
      if (typeof value === 'string') {
        const ms = isoDateMs(value)
        if (ms !== undefined) return {value: ms}
      }
      break
  }
  return {fail: `${shown()} does not convert to ${to}`}
}

/** The instant an ISO 8601 date string names, in ms since the epoch, or undefined. */
function isoDateMs(s: string): number | undefined {
  if (!ISO_DATE.test(s)) return undefined
  const ms = Date.parse(s)
  return Number.isNaN(ms) ? undefined : ms
}

/** A value as it reads in a message (short). */
export function show(value: unknown): string {
  if (value === undefined) return 'undefined'
  const text = JSON.stringify(value)
  return text.length > 40 ? `${text.slice(0, 40)}…` : text
}
