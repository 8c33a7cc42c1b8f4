/**
 * Flag combinations a command refuses instead of silently ignoring one of
 * the flags: a flag that has no effect with another, or without one of a
 * set. A command lists its rules (static `flagRules`); parseCommand checks
 * them on the flags the user gave (not on defaults) and refuses with USAGE
 * (exit 2) before anything runs.
 */
import {CliError} from './cli-error.js'
import {CliErrorCode} from './exit-codes.js'

/** One rule about `flag` (names without dashes; "format" and "json" are the shared output flags). */
export interface FlagRule {
  readonly flag: string
  /** Flags that cannot be given with `flag`. */
  readonly conflicts?: readonly string[]
  /** `flag` has an effect only with at least one of these. */
  readonly needs?: readonly string[]
  /** Why, for the message: "--raw writes the stored bytes in no format". */
  readonly why: string
}

/** Throws USAGE for the first rule broken by the flags for which `given` is true. */
export function checkFlagRules(rules: readonly FlagRule[], given: (flag: string) => boolean, command: string): void {
  const hint = `run "strata ${command} --help" for usage`
  for (const rule of rules) {
    if (!given(rule.flag)) continue
    const clash = rule.conflicts?.find(given)
    if (clash !== undefined) throw new CliError(CliErrorCode.USAGE, `--${rule.flag} cannot be used with --${clash}: ${rule.why}`, hint)
    if (rule.needs !== undefined && !rule.needs.some(given)) {
      throw new CliError(CliErrorCode.USAGE, `--${rule.flag} needs ${rule.needs.map((f) => `--${f}`).join(' or ')}: ${rule.why}`, hint)
    }
  }
}
