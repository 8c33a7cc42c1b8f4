/**
 * Shutdown on SIGINT or SIGTERM: stop accepting connections, let in-flight
 * requests finish, then close the store (it syncs every shard and releases
 * the writer lock), and resolve, so the command exits 0. A second signal
 * while that runs exits at once with 128 + the signal number: every write
 * already acknowledged is durable, and the kernel releases the lock.
 */
import type {RunningServer} from './server.js'

const SIGNALS = ['SIGINT', 'SIGTERM'] as const
const NUMBER: Readonly<Record<(typeof SIGNALS)[number], number>> = {SIGINT: 2, SIGTERM: 15}

/** Resolves with the signal's name once `server` has stopped after SIGINT or SIGTERM. */
export async function serveUntilSignal(server: RunningServer, onSignal?: (signal: string) => void): Promise<string> {
  const signal = await new Promise<(typeof SIGNALS)[number]>((resolve) => {
    for (const s of SIGNALS) process.once(s, () => resolve(s))
  })
  for (const s of SIGNALS) {
    process.removeAllListeners(s)
    process.once(s, () => process.exit(128 + NUMBER[s]))
  }
  onSignal?.(signal)
  await server.stop()
  return signal
}
