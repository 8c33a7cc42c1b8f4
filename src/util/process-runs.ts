/**
 * Whether a process of this host still runs, by pid (signal 0). Used where
 * a pid recorded by another process decides whether what it left may be
 * taken over: a replica's lease, a directory replica's unfinished puts.
 * A pid can be reused by a later process; then the answer is "runs" and
 * the caller waits longer than it must, never less.
 */
export function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
