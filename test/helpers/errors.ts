import {StrataError} from '../../src/errors.js'

/** Runs `fn` and returns the StrataError code it threw, 'no error', or a description of a foreign error. */
export function errCode(fn: () => unknown): string {
  try {
    fn()
    return 'no error'
  } catch (err) {
    return err instanceof StrataError ? err.code : `foreign error: ${String(err)}`
  }
}
