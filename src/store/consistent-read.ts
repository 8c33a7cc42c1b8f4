/**
 * The consistent-read retry loop. A reader that does not hold the writer lock
 * assembles its view of a shard step by step (CURRENT, then the manifest it
 * names, then the files the manifest lists), while a writer in another
 * process may switch the manifest and delete the old files between two
 * steps. Such a reader sees a file vanish (or CURRENT change) and starts
 * over from CURRENT; a writer switches rarely, so a few attempts succeed.
 * Every read-only assembly (a shard view, dump, verify) goes through here.
 */

/** How often and how patiently to start over. */
export interface RetryPolicy {
  /** Attempts after the first. */
  readonly retries: number
  /** Milliseconds to wait after the `failed`-th failed attempt (1-based). */
  readonly delayMs: (failed: number) => number
}

/** The policy of shard views and dump: up to 50 fresh starts, waiting 2 ms growing to 20 ms. */
export const VIEW_RETRY: RetryPolicy = {retries: 50, delayMs: (failed) => Math.min(1 + failed, 20)}

/**
 * Runs `read` until it returns. When it throws an error that `stale` says
 * comes from a writer changing the files underneath, waits and runs it
 * again, up to `policy.retries` more times; the last such error is then
 * thrown. Any other error is thrown at once.
 */
export function readConsistently<T>(read: () => T, stale: (err: unknown) => boolean, policy: RetryPolicy = VIEW_RETRY): T {
  for (let failed = 0; ; ) {
    try {
      return read()
    } catch (err) {
      failed++
      if (!stale(err) || failed > policy.retries) throw err
      sleepSync(policy.delayMs(failed))
    }
  }
}

/** Blocks the thread for `ms` milliseconds (the readers are synchronous). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}
