/**
 * Child process for the concurrency test: writes to the store at argv[2]
 * forever (puts, batches, TTLs, deletes; 8 KiB WAL flushes and a compaction
 * every 3 tables, so files are replaced all the time), printing
 * "ack N KEY" after each acknowledged write (KEY empty for batches and
 * deletes).
 *
 * It yields to the event loop after every write: with sync 'always' the
 * store's promises resolve without doing so, and a loop that never yields
 * never flushes its own stdout once the pipe is full.
 */
import {open} from '../../src/index.js'

const dir = process.argv[2]
const store = await open(dir, {sync: 'always', walFlushBytes: 8 * 1024, compactionTrigger: 3, lockTimeoutMs: 10_000})
process.stdout.write('ready\n')
for (let n = 0; ; n++) {
  const key = `k${String(n % 2000).padStart(5, '0')}`
  // Deletes hit batch keys only: a key printed in an ack is never deleted, so it always has a stored version.
  if (n % 10 === 9) await store.delete(`b${n - 4}-1`)
  else if (n % 10 === 5) await store.batch([0, 1, 2].map((i) => ({type: 'put' as const, key: `b${n}-${i}`, value: Buffer.from([n & 0xff, i, 0])})))
  else await store.put(key, `v${n}-${'x'.repeat(n % 200)}`, n % 4 === 0 ? {ttlMs: 3_600_000} : {})
  process.stdout.write(`ack ${n} ${n % 10 === 9 || n % 10 === 5 ? '' : key}\n`)
  await new Promise((resolve) => setImmediate(resolve))
}
