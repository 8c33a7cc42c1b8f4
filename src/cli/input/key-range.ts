/**
 * --from/--to (and --prefix) of the commands that take a key range (scan,
 * compact): decoded from their arguments and checked by the engine's one
 * range rule (rangeProblem) before the store is opened, so every such command
 * refuses an empty range the same way: INVALID_ARGUMENT, exit 2.
 */
import {ErrorCode, rangeProblem} from '../../engine.js'
import {CliError} from '../oclif/cli-error.js'
import {decodeArgument} from './arguments.js'
import type {Encoding} from '../../codec/encoding.js'

/** A decoded key range; absent bounds are open. */
export interface KeyRange {
  readonly from?: Buffer
  readonly to?: Buffer
  readonly prefix?: Buffer
}

/** Decodes the range flags in `enc`; throws INVALID_ARGUMENT for bad bytes or --from not below --to. */
export function decodeRange(flags: {readonly from?: string; readonly to?: string; readonly prefix?: string}, enc: Encoding): KeyRange {
  const decode = (text: string | undefined, what: string): Buffer | undefined =>
    text === undefined ? undefined : decodeArgument(text, enc, what, '--key-encoding')
  const from = decode(flags.from, '--from')
  const to = decode(flags.to, '--to')
  const prefix = decode(flags.prefix, '--prefix')
  const problem = rangeProblem(from, to)
  if (problem !== undefined) {
    throw new CliError(ErrorCode.INVALID_ARGUMENT, `--from ${JSON.stringify(flags.from)} and --to ${JSON.stringify(flags.to)}: ${problem}`,
      'give the lower bound as --from and the upper as --to')
  }
  return {...(from === undefined ? {} : {from}), ...(to === undefined ? {} : {to}), ...(prefix === undefined ? {} : {prefix})}
}
