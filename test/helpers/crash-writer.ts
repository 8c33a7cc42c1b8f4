/**
 * Child process for the crash tests. Opens the store at argv[2] with sync
 * 'always' and small flush/compaction thresholds, then performs operations
 * forever, appending "op <json>" before each and "ack <n>" after it resolves
 * to the log file argv[5], and "ready" to stdout once open. The parent kills
 * it with SIGKILL at a random moment.
 *
 * The log is a regular file written with writeSync: each line is in the page
 * cache before the next operation starts, so SIGKILL cannot lose an ack
 * (stdout to a busy pipe is queued in the process and would be lost).
 */
import * as fs from 'node:fs'
import {open} from '../../src/index.js'

const [dir, tag, seedArg, logPath] = process.argv.slice(2)
const log = fs.openSync(logPath, 'a')
let seed = Number(seedArg) >>> 0 || 1
const rand = (n: number): number => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
  return (seed >>> 8) % n
}

const out = (line: string): void => {
  fs.writeSync(log, line + '\n')
}

// Odd and even seeds alternate between background and inline flushes and compactions, so kills land in both.
const background = (Number(seedArg) & 1) === 0
const store = await open(dir, {sync: 'always', walFlushBytes: 8 * 1024, compactionTrigger: 3, levelBaseBytes: 48 * 1024, lockTimeoutMs: 10_000, background})
process.stdout.write('ready\n')
const written: string[] = []
for (let n = 0; ; n++) {
  const r = rand(20)
  let op: {type: 'put' | 'del' | 'batch'; keys: string[]; value?: string}
  if (r === 0 && written.length > 0) {
    op = {type: 'del', keys: [written[rand(written.length)]]}
  } else if (r < 4) {
    op = {type: 'batch', keys: Array.from({length: 5}, (_, i) => `${tag}-${n}-${i}`), value: `b${n}`}
  } else {
    op = {type: 'put', keys: [`${tag}-${n}`], value: `v${n}-${'x'.repeat(rand(300))}`}
  }
  out(`op ${JSON.stringify(op)}`)
  if (op.type === 'del') await store.delete(op.keys[0])
  else if (op.type === 'put') await store.put(op.keys[0], op.value!)
  else await store.batch(op.keys.map((key) => ({type: 'put' as const, key, value: op.value!})))
  if (op.type !== 'del') written.push(...op.keys)
  out(`ack ${n}`)
}
