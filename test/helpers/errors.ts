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

/** Awaits `p` and returns the StrataError code it rejected with, 'no error', or a description of a foreign error. */
export async function errCodeAsync(p: Promise<unknown>): Promise<string> {
  try {
    await p
    return 'no error'
  } catch (err) {
    return err instanceof StrataError ? err.code : `foreign error: ${String(err)}`
  }
}
