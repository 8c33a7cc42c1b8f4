/**
 * Colour policy: chalk only, and only when the stream is a TTY and NO_COLOR is
 * unset (or empty, per no-color.org). Each stream gets its own chalk instance,
 * so piping stdout does not uncolour a terminal's stderr or the other way round.
 */
import {Chalk, type ChalkInstance} from 'chalk'

/** A stream that may be a terminal. */
export interface MaybeTTY {
  readonly isTTY?: boolean
}

/** True when output to `stream` may be coloured. */
export function colorEnabled(stream: MaybeTTY, env: NodeJS.ProcessEnv = process.env): boolean {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== ''
  return stream.isTTY === true && !noColor && env.TERM !== 'dumb'
}

/** A chalk instance for `stream`: level 0 (no escapes at all) unless colour is enabled. */
export function chalkFor(stream: MaybeTTY, env: NodeJS.ProcessEnv = process.env): ChalkInstance {
  return new Chalk({level: colorEnabled(stream, env) ? 1 : 0})
}
