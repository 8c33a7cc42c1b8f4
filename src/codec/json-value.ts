/**
 * Values marked JSON (`put --json`, NDJSON "json": true): the CLI checks that
 * the bytes are UTF-8 JSON text before writing; the engine stores them as they
 * are, with the JSON mark.
 */
import {invalidArgument} from '../errors.js'

const decoder = new TextDecoder('utf-8', {fatal: true})

/** Throws INVALID_ARGUMENT unless `value` is valid JSON text; `what` names it ("value", "line 3: value"). */
export function assertJsonText(value: Uint8Array, what: string): void {
  try {
    JSON.parse(decoder.decode(value))
  } catch (err) {
    const why = err instanceof SyntaxError ? err.message : 'not valid UTF-8'
    throw invalidArgument(`${what} is not valid JSON (${why})`, 'without --json any bytes are accepted')
  }
}
