/**
 * The base of every strata command: the shared flags (--dir, --format, --json),
 * format resolution, store opening, and the one error path. A command that
 * fails prints exactly one line to stderr (text, or JSON with a JSON format)
 * and exits with the code from exit-codes.ts; never a stack trace.
 */
import {Command, Errors, Flags, type Interfaces} from '@oclif/core'
import {open, type Store} from '../../engine.js'
import {errorLine, shellWord, usageError, type ErrorReport} from './error-report.js'
import {finishCommand} from './finish.js'

export {errorLine}
import {FORMATS, Output, isJsonFormat, type Format} from '../output/output.js'
import {CliError, checkDirFlag} from './cli-error.js'
import {CliErrorCode, Exit} from './exit-codes.js'
import {checkFlagRules, type FlagRule} from './flag-rules.js'
import {DEFAULT_DIR, DIR_ENV} from '../input/flag-defaults.js'

/** The flags every command has. */
export const sharedFlags = {
  dir: Flags.string({
    char: 'd',
    summary: 'Data directory of the store.',
    description: 'Defaults to $STRATA_DIR, else ./data.',
    env: DIR_ENV,
    default: DEFAULT_DIR,
    helpValue: 'DIR',
  }),
  format: Flags.option({
    options: FORMATS,
    summary: 'Output format: text, table, json (one document) or ndjson (one object per line).',
    helpValue: 'FORMAT',
  })(),
}

/** `--json`, oclif's alias for `--format json` (not on `put`, where --json marks the value as JSON). */
export const jsonAliasFlag = {
  json: Flags.boolean({summary: 'Shorthand for --format json.'}),
}

/** Abstract base of the strata commands. */
export abstract class StrataCommand extends Command {
  static override baseFlags = {...sharedFlags, ...jsonAliasFlag}

  /** Flag combinations this command refuses rather than ignore a flag (flag-rules.ts). */
  static flagRules: readonly FlagRule[] = []

  /** Set once flags are parsed. */
  protected out?: Output

  /** The format used when neither --format nor --json is given. Listings override this to prefer tables on a TTY. */
  protected defaultFormat(): Format {
    return 'text'
  }

  /** Parses argv with oclif; any parse failure becomes a USAGE error (exit 2). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  protected async parseCommand<F extends Record<string, any>, B extends Record<string, any>, A extends Record<string, any>>(
    options: Interfaces.Input<F, B, A>,
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    let parsed: Interfaces.ParserOutput<F, B, A>
    try {
      parsed = await this.parse(options)
    } catch (err) {
      this.parsed = true // parsing was attempted; stops oclif's "did not parse its arguments" warning
      throw usageError(err, this.id ?? '')
    }
    const flags = parsed.flags as {format?: Format; json?: unknown; dir?: string}
    checkDirFlag(flags.dir)
    const aliasJson = this.hasJsonAlias() && flags.json === true
    // Given by the user: set, and not from a default (an empty --flag= counts as given too).
    const given = (name: string): boolean => {
      const value = (parsed.flags as Record<string, unknown>)[name]
      return value !== undefined && value !== false && (parsed.metadata.flags as Record<string, {setFromDefault?: boolean} | undefined>)[name]?.setFromDefault !== true
    }
    checkFlagRules((this.constructor as typeof StrataCommand).flagRules, given, this.id ?? '')
    if (aliasJson && flags.format !== undefined && flags.format !== 'json') {
      throw new CliError(CliErrorCode.USAGE, `--json conflicts with --format ${flags.format}`, 'give one of them')
    }
    this.out = new Output(aliasJson ? 'json' : flags.format ?? this.defaultFormat())
    return parsed
  }

  /** The output, once flags are parsed. */
  protected get output(): Output {
    if (!this.out) throw new Error('output used before parseCommand()')
    return this.out
  }

  /** True when stdout is a terminal (decides default formats). */
  protected get stdoutIsTTY(): boolean {
    return process.stdout.isTTY === true
  }

  private hasJsonAlias(): boolean {
    const ctor = this.constructor as typeof StrataCommand
    return ctor.baseFlags !== undefined && 'json' in ctor.baseFlags && !('json' in (ctor.flags ?? {}))
  }

  /** Whether errors should be JSON: from the parsed format, else by looking at argv (parse may have failed). */
  private errorsAsJson(): boolean {
    if (this.out) return isJsonFormat(this.out.format)
    let format: string | undefined
    let json = false
    for (let i = 0; i < this.argv.length; i++) {
      const a = this.argv[i]
      if (a === '--') break
      if (a === '--format') format = this.argv[i + 1]
      else if (a.startsWith('--format=')) format = a.slice('--format='.length)
      else if (a === '--json') json = true
    }
    return format === 'json' || format === 'ndjson' || (json && this.hasJsonAlias())
  }

  /** Opens the store for reading: no lock, never modifies the directory. */
  protected async openReader(dir: string): Promise<Store> {
    return open(dir, {readOnly: true})
  }

  /**
   * Opens the store for writing: waits up to `lockTimeoutMs` for the writer
   * lock. `background` as OpenOptions.background (default: the store's).
   */
  protected async openWriter(dir: string, options: {sync: 'always' | 'none'; lockTimeoutMs: number; cacheSizeBytes?: number; background?: boolean}): Promise<Store> {
    const {cacheSizeBytes, background} = options
    return open(dir, {
      sync: options.sync,
      lockTimeoutMs: options.lockTimeoutMs,
      ...(cacheSizeBytes === undefined ? {} : {cacheSizeBytes}),
      ...(background === undefined ? {} : {background}),
    })
  }

  /**
   * Runs `fn` with `store`, then closes it (close syncs: a write command that
   * returns has its data on stable storage). If `fn` fails the store is still
   * closed, so what was written before the failure is durable; a close failure
   * wins over `fn`'s error, because then durability is in question.
   */
  protected async using<T>(store: Store, fn: (store: Store) => Promise<T>): Promise<T> {
    let result: T
    try {
      result = await fn(store)
    } catch (err) {
      await store.close()
      throw err
    }
    await store.close()
    return result
  }

  /**
   * The first argument before "--" that the parser took for a flag it does
   * not have (an unknown flag, or a short flag with its value attached:
   * "-dash" reads as "-d ash"), with the arguments after it that are not
   * flags; undefined if there is none or the command takes no arguments. A
   * key or value that starts with "-" is the likely cause of such a usage
   * error, and "--" is the way to give one.
   */
  private dashArgument(): {words: string[]} | undefined {
    const ctor = this.constructor as typeof StrataCommand
    if (Object.keys(ctor.args ?? {}).length === 0) return undefined
    const flags: Record<string, {char?: string; type?: string}> = {...ctor.baseFlags, ...ctor.flags}
    const byName = new Map<string, {type?: string}>()
    for (const [name, f] of Object.entries(flags)) {
      byName.set(`--${name}`, f)
      if (f.char !== undefined) byName.set(`-${f.char}`, f)
    }
    const argv = this.argv
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]
      if (a === '--') return undefined
      if (!a.startsWith('-') || a === '-') continue
      const f = byName.get(a.startsWith('--') ? a.split('=')[0] : a)
      if (f === undefined) {
        const words = [a]
        for (let j = i + 1; j < argv.length && !argv[j].startsWith('-'); j++) words.push(argv[j])
        return {words}
      }
      if (f.type === 'option' && !a.includes('=')) i++ // its value, which may start with "-"
    }
    return undefined
  }

  /** What the command threw, reported by `finally` once stdout is flushed. */
  private failure: unknown

  /** Keeps the error for `finally`: it is reported after the output so far is flushed (finish.ts). */
  protected override async catch(err: Interfaces.CommandError): Promise<void> {
    if (err instanceof Errors.ExitError) throw err
    this.failure = err ?? new Error('unknown error')
  }

  /** Flushes stdout, then prints the error (if any) as one line on stderr and sets the exit code; see finish.ts. */
  protected override async finally(err: Error | undefined): Promise<void> {
    await super.finally(err)
    await finishCommand(this.out, this.failure, this.errorsAsJson(), (report) => this.withDashHint(report))
  }

  /** A usage error caused by a key or value that starts with "-" gets a hint to put it after "--". */
  private withDashHint(report: ErrorReport): ErrorReport {
    const dash = report.exitCode === Exit.USAGE ? this.dashArgument() : undefined
    if (dash === undefined) return report
    const example = ['strata', this.id ?? '', '--', ...dash.words].map(shellWord).join(' ')
    return {...report, hint: `if "${dash.words[0]}" is a key or value, put it after "--", following the flags: ${example}`}
  }
}
