/**
 * The lean start-up path for `strata get`: scripts call it in loops, and most
 * of a command's start-up is Node loading @oclif/core. bin/run.js tries this
 * first; it handles only plain invocations (the flags below, keys, `--`) and
 * returns false for anything else — help, an unknown or malformed flag, no
 * key — so oclif handles those with its usual messages. What it does handle
 * runs the same code as the oclif command (get-run.ts) and prints errors
 * the same way.
 */
import {ENCODINGS, type Encoding} from '../input/encoding.js'
import {finishCommand} from '../oclif/finish.js'
import {Output, isJsonFormat, type Format} from '../output/output.js'
import {runGet} from './get-run.js'
import {checkDirFlag} from '../oclif/cli-error.js'

const VALUE_FLAGS = new Set(['--dir', '-d', '--format', '--key-encoding', '--value-encoding', '--cache-size'])
const FAST_FORMATS: readonly string[] = ['text', 'json', 'ndjson']

/** Parsed plain `get` arguments, or undefined if oclif must handle them. */
function parse(argv: readonly string[]): {values: Map<string, string>; json: boolean; raw: boolean; keys: string[]} | undefined {
  const values = new Map<string, string>()
  const keys: string[] = []
  let json = false
  let raw = false
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
    if (VALUE_FLAGS.has(name)) {
      const value = eq > 0 && a.startsWith('--') ? a.slice(eq + 1) : argv[++i]
      if (value === undefined || values.has(name === '-d' ? '--dir' : name)) return undefined
      values.set(name === '-d' ? '--dir' : name, value)
    } else if (a === '--json' && !json) {
      json = true
    } else if (a === '--raw' && !raw) {
      raw = true
    } else {
      return undefined
    }
  }
  const format = values.get('--format')
  if (keys.length === 0 || (format !== undefined && !FAST_FORMATS.includes(format)) || (json && format !== undefined && format !== 'json')) return undefined
  // --raw with an output format or value encoding is a usage error: oclif's command reports it (flagRules).
  if (raw && (format !== undefined || json || values.has('--value-encoding'))) return undefined
  for (const f of ['--key-encoding', '--value-encoding']) {
    const e = values.get(f)
    if (e !== undefined && !(ENCODINGS as readonly string[]).includes(e)) return undefined
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
        dir: p.values.get('--dir') ?? (process.env.STRATA_DIR || './data'),
        texts: p.keys,
        enc: {key: (p.values.get('--key-encoding') ?? 'utf8') as Encoding, value: (p.values.get('--value-encoding') ?? 'utf8') as Encoding},
        raw: p.raw,
        cacheSize: p.values.get('--cache-size'),
      },
      out,
    )
  } catch (err) {
    failure = err ?? new Error('unknown error')
  }
  await finishCommand(out, failure, isJsonFormat(format))
  return true
}
