/**
 * Instants for `--at`: milliseconds since the Unix epoch ("1767225600000"),
 * or an ISO 8601 date ("2026-01-01", midnight UTC) or date-time with a zone
 * ("2026-01-01T12:00:00Z", "2026-01-01T13:00:00.250+01:00"). A date-time
 * without a zone is refused: it would mean a different instant on every
 * machine, and an instant is what two runs compare on.
 */
import {ErrorCode} from '../../engine.js'
import {CliError} from '../oclif/cli-error.js'

const EPOCH_MS = /^\d+$/
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/i
const HINT = 'give ms since the epoch (1767225600000) or an ISO 8601 time with a zone (2026-01-01T00:00:00Z)'

/** Parses an instant into ms since the epoch; INVALID_ARGUMENT (exit 2) naming `what` otherwise. */
export function parseInstant(text: string, what: string): number {
  const s = text.trim()
  let ms = Number.NaN
  if (EPOCH_MS.test(s)) ms = Number(s)
  else if (ISO_DATE.test(s)) ms = Date.parse(`${s}T00:00:00Z`)
  else if (ISO_DATE_TIME.test(s)) ms = Date.parse(s)
  else if (/^\d{4}-\d{2}-\d{2}T/i.test(s)) {
    throw new CliError(ErrorCode.INVALID_ARGUMENT, `${what} ${JSON.stringify(text)} has no time zone`, 'end it with Z (UTC) or an offset such as +02:00')
  }
  if (!EPOCH_MS.test(s) && !realDate(s)) ms = Number.NaN
  if (!Number.isSafeInteger(ms) || ms < 0) throw new CliError(ErrorCode.INVALID_ARGUMENT, `${what} ${JSON.stringify(text)} is not a time`, HINT)
  return ms
}

/** Whether the YYYY-MM-DD that `s` starts with names a real day (Date.parse rolls 2026-02-30 over to March). */
function realDate(s: string): boolean {
  const [y, m, d] = s.slice(0, 10).split('-').map(Number)
  const date = new Date(Date.UTC(y, m - 1, d))
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d
}
