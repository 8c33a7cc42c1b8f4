/**
 * The lean start-up path for `strata get`: scripts call it in loops, and most
 * of a command's start-up is Node loading @oclif/core. bin/run.js tries this
 * first; it handles only plain invocations (the flags below, keys, `--`) and
 * returns false for anything else — help, an unknown or malformed flag, no
 * key — so oclif handles those with its usual messages. What it does handle
 * runs the same code as the oclif command (get-run.ts) and prints errors
 * the same way.
 */
import type {Encoding} from '../../codec/encoding.js'
import {GET_FLAGS, type GetFlagName, type PlainFlag} from './get-flags.js'
import {finishCommand} from '../oclif/finish.js'
import {Output, isJsonFormat, type Format} from '../output/output.js'
import {runGet} from './get-run.js'
import {checkDirFlag} from '../oclif/cli-error.js'

const FLAGS: ReadonlyArray<[GetFlagName, PlainFlag]> = Object.entries(GET_FLAGS) as Array<[GetFlagName, PlainFlag]>
/** `--name` and `-c` of each flag that takes a value, by the name it is stored under. */
const VALUE_FLAGS = new Map(FLAGS.filter(([, f]) => f.takesValue).flatMap(([n, f]) => [[`--${n}`, `--${n}`], ...(f.char === undefined ? [] : [[`-${f.char}`, `--${n}`]])] as Array<[string, string]>))
/** `--name` of each switch. */
const SWITCHES = new Set(FLAGS.filter(([, f]) => !f.takesValue).map(([n]) => `--${n}`))
/** The formats this path prints; table output (terminal-width fitting) is left to oclif. */
const FAST_FORMATS: readonly string[] = ['text', 'json', 'ndjson']

/** Parsed plain `get` arguments, or undefined if oclif must handle them. */
function parse(argv: readonly string[]): {values: Map<string, string>; json: boolean; raw: boolean; keys: string[]} | undefined {
  const values = new Map<string, string>()
  const keys: string[] = []
  const switches = new Set<string>()
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--') {
      keys.push(...argv.slice(i + 1))
      break
    }
    if (!a.startsWith('-') || a === '-') {
      keys.push(a)
      continue
    }
    const eq = a.indexOf('=')
    const name = eq > 0 && a.startsWith('--') ? a.slice(0, eq) : a
    const stored = VALUE_FLAGS.get(name)
    if (stored !== undefined) {
      const value = eq > 0 && a.startsWith('--') ? a.slice(eq + 1) : argv[++i]
      if (value === undefined || values.has(stored)) return undefined
      values.set(stored, value)
    } else if (SWITCHES.has(a) && !switches.has(a)) {
      switches.add(a)
    } else {
      return undefined
    }
  }
  const json = switches.has('--json')
  const raw = switches.has('--raw')
  const format = values.get('--format')
  if (keys.length === 0 || (format !== undefined && !FAST_FORMATS.includes(format)) || (json && format !== undefined && format !== 'json')) return undefined
  // --raw with an output format or value encoding is a usage error: oclif's command reports it (flagRules).
  if (raw && (format !== undefined || json || values.has('--value-encoding') || values.has('--schema-version'))) return undefined
  for (const [n, f] of FLAGS) {
    const v = values.get(`--${n}`)
    if (v !== undefined && f.options !== undefined && !f.options.includes(v)) return undefined
  }
  return {values, json, raw, keys}
}

/**
 * Runs `strata get ARGV…` without oclif if the arguments are plain; returns
 * false (having done nothing) otherwise. Sets process.exitCode like the command.
 */
export async function tryFastGet(argv: readonly string[]): Promise<boolean> {
  const p = parse(argv)
  if (p === undefined) return false
  const format: Format = p.json ? 'json' : ((p.values.get('--format') as Format | undefined) ?? 'text')
  const out = new Output(format)
  let failure: unknown
  try {
    checkDirFlag(p.values.get('--dir'))
    await runGet(
      {
        dir: p.values.get('--dir') ?? (process.env[GET_FLAGS.dir.env] || GET_FLAGS.dir.default),
        texts: p.keys,
        enc: {
          key: (p.values.get('--key-encoding') ?? GET_FLAGS['key-encoding'].default) as Encoding,
          value: (p.values.get('--value-encoding') ?? GET_FLAGS['value-encoding'].default) as Encoding,
        },
        raw: p.raw,
        cacheSize: p.values.get('--cache-size') ?? GET_FLAGS['cache-size'].default,
        schemaVersion: p.values.get('--schema-version'),
      },
      out,
    )
  } catch (err) {
    failure = err ?? new Error('unknown error')
  }
  await finishCommand(out, failure, isJsonFormat(format))
  return true
}
