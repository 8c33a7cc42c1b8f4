/**
 * A writer process for the background-work crash test: opens the store in
 * `dir` with background flushes and compactions (the default on the real
 * filesystem) and small thresholds, then writes batch after batch forever,
 * appending "ack N" to `logPath` once batch N has resolved (sync 'always':
 * it is durable). Batch N puts keys bgKey(N, 0..BATCH-1) with bgValue(...).
 * The test sets STRATA_TEST_BG_HOLD so that the worker holds jobs unanswered,
 * and kills this process with SIGKILL.
 */
import * as fs from 'node:fs'
import {open} from '../../src/index.js'

export const BATCH = 40

export function bgKey(batch: number, i: number): string {
  // Spread over the key space so that every flush overlaps level 0.
  return `k${String((batch * 7919 + i * 104729) % 1_000_003).padStart(7, '0')}-${batch}-${i}`
}

export function bgValue(batch: number, i: number): string {
  return `value ${batch}/${i} `.padEnd(120, '.')
}

if (process.argv[1]?.endsWith('bg-writer.js')) {
  const [dir, logPath] = process.argv.slice(2)
  const log = fs.openSync(logPath, 'a')
  const store = await open(dir, {sync: 'always', walFlushBytes: 48 * 1024, compactionTrigger: 2, levelBaseBytes: 64 * 1024, background: true})
  for (let n = 0; ; n++) {
    await store.batch(Array.from({length: BATCH}, (_, i) => ({type: 'put' as const, key: bgKey(n, i), value: bgValue(n, i)})))
    fs.writeSync(log, `ack ${n}\n`)
  }
}
