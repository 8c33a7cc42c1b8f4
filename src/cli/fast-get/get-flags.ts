/**
 * The flags of `strata get` as plain data: the one definition both of its
 * parsers follow. commands/get.ts builds its oclif flags from the same names
 * and defaults (shared ones through base-command.ts and common-flags.ts),
 * and the lean start-up path (fast-path.ts) reads this table, so it never
 * loads oclif. A test checks that the oclif command has exactly these flags
 * with these defaults.
 */
import {ENCODINGS} from '../../codec/encoding.js'
import {DEFAULT_CACHE_SIZE, DEFAULT_DIR, DEFAULT_ENCODING, DIR_ENV} from '../input/flag-defaults.js'

/** One flag: a switch, or a flag that takes a value (`--flag V` or `--flag=V`). */
export interface PlainFlag {
  readonly takesValue: boolean
  readonly char?: string
  readonly default?: string
  /** Environment variable read when the flag is not given. */
  readonly env?: string
  /** The values it accepts, when it is an option. */
  readonly options?: readonly string[]
  readonly summary?: string
}

export const GET_FLAGS = {
  dir: {takesValue: true, char: 'd', default: DEFAULT_DIR, env: DIR_ENV},
  format: {takesValue: true, options: ['text', 'table', 'json', 'ndjson']},
  json: {takesValue: false},
  raw: {takesValue: false, summary: 'Write the value\'s bytes exactly as stored, nothing added (one key only).'},
  'key-encoding': {takesValue: true, default: DEFAULT_ENCODING, options: ENCODINGS},
  'value-encoding': {takesValue: true, default: DEFAULT_ENCODING, options: ENCODINGS},
  'cache-size': {takesValue: true, default: DEFAULT_CACHE_SIZE},
  'schema-version': {takesValue: true, summary: 'Read records stamped with a schema at this version of it (default: its latest).'},
} as const satisfies Record<string, PlainFlag>

export type GetFlagName = keyof typeof GET_FLAGS
