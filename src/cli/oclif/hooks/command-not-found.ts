/**
 * oclif hook for an unknown command: prints the same one-line error as every
 * other usage error (exit 2) instead of oclif's own message, with the closest
 * command as a hint.
 */
import type {Hook} from '@oclif/core'
import {errorLine, shellWord} from '../error-report.js'
import {CliErrorCode, EXIT_CODES} from '../exit-codes.js'
import type {ErrorReport} from '../error-report.js'

/** Levenshtein distance, for the "did you mean" hint. */
function distance(a: string, b: string): number {
  const row = Array.from({length: b.length + 1}, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = tmp
    }
  }
  return row[b.length]
}

const hook: Hook<'command_not_found'> = async function (opts) {
  // With a space as topic separator oclif joins the words it could not match
  // ("gett user:1" arrives as "gett:user:1"); strata's commands are one word,
  // so the first word is the command that was typed and the rest are its arguments.
  const [typed, ...rest] = opts.id.split(':')
  // The words as typed (the joined id cannot tell "user:1" from "user 1").
  const args = process.argv[2] === typed ? process.argv.slice(3) : [...rest, ...(opts.argv ?? [])]
  const ids = opts.config.commandIDs
  const best = ids.map((id) => ({id, d: distance(typed, id)})).sort((x, y) => x.d - y.d)[0]
  const close = best !== undefined && best.d <= Math.min(3, Math.max(1, typed.length - 1))
  const example = close ? ['strata', best.id, ...args].map(shellWord).join(' ') : ''
  const hint = close ? `did you mean "${best.id}"? (${example}); run "strata --help" for the list of commands` : 'run "strata --help" for the list of commands'
  const json = (opts.argv ?? []).some((a, i, all) => a === '--json' || a === '--format=json' || (a === '--format' && all[i + 1] === 'json'))
  const exitCode = EXIT_CODES[CliErrorCode.USAGE]
  const report: ErrorReport = {code: CliErrorCode.USAGE, message: `unknown command "${typed}"`, hint, exitCode}
  process.stderr.write(`${json ? JSON.stringify({error: report}) : errorLine(report)}\n`)
  process.exit(exitCode)
}

export default hook
