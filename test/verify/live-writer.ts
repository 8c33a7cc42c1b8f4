/**
 * Child process for the verify-while-writing test. Opens the store at
 * argv[2] as its writer with tiny flush and compaction thresholds, then puts,
 * overwrites, deletes and batches without pause, printing "ack N" after each
 * operation, until its stdin closes. Then it closes the store and prints
 * "done <json>": every key it wrote and its final value (null: deleted).
 * Any failure exits 1 with the error on stderr.
 */
import {open} from '../../src/index.js'

const [dir, seedArg] = process.argv.slice(2)
let seed = Number(seedArg) >>> 0 || 1
const rand = (n: number): number => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
  return (seed >>> 8) % n
}

let stopping = false
process.stdin.on('data', () => {})
process.stdin.on('end', () => {
  stopping = true
})

try {
  const store = await open(dir, {sync: 'none', walFlushBytes: 8 * 1024, compactionTrigger: 3, lockTimeoutMs: 10_000})
  const model = new Map<string, string | null>()
  process.stdout.write('ready\n')
  for (let n = 0; !stopping; n++) {
    const r = rand(20)
    const key = `k${rand(3000)}`
    if (r < 3) {
      await store.delete(key)
      model.set(key, null)
    } else if (r < 6) {
      const ops = Array.from({length: 4}, (_, i) => ({type: 'put' as const, key: `b${n}-${i}`, value: `batch ${n}`}))
      await store.batch(ops)
      for (const op of ops) model.set(op.key, op.value)
    } else {
      const value = `v${n}-${'x'.repeat(rand(200))}`
      await store.put(key, value)
      model.set(key, value)
    }
    if (n % 50 === 0) process.stdout.write(`ack ${n}\n`)
    // Yield so stdin's end is noticed.
    if (n % 20 === 0) await new Promise((resolve) => setImmediate(resolve))
  }
  await store.close()
  process.stdout.write(`done ${JSON.stringify([...model])}\n`)
} catch (err) {
  process.stderr.write(`live-writer failed: ${(err as Error)?.stack ?? String(err)}\n`)
  process.exit(1)
}
