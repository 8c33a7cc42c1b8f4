import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {spawn} from 'node:child_process'
import {createStore, open} from '../../src/index.js'
import {tempDir, repoRoot} from '../helpers/temp.js'

const CYCLES = Number(process.env.STRATA_CRASH_CYCLES ?? 60)
const writer = path.join(repoRoot, 'dist', 'test', 'helpers', 'crash-writer.js')

interface Op {
  type: 'put' | 'del' | 'batch'
  keys: string[]
  value?: string
}

/** Runs the writer, kills it with SIGKILL after `ms` of writing, returns its acknowledged and in-flight ops. */
function runAndKill(dir: string, tag: string, seed: number, ms: number): Promise<{acked: Op[]; pending?: Op}> {
  const logPath = path.join(path.dirname(dir), `${tag}.log`)
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writer, dir, tag, String(seed), logPath], {stdio: ['ignore', 'pipe', 'pipe']})
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => {
      out += d
      if (out.startsWith('ready\n') && !(child as {timer?: NodeJS.Timeout}).timer) {
        ;(child as {timer?: NodeJS.Timeout}).timer = setTimeout(() => child.kill('SIGKILL'), ms)
      }
    })
    child.stderr.on('data', (d) => (err += d))
    child.on('error', reject)
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`writer exited ${code}: ${err}`))
      const acked: Op[] = []
      let pending: Op | undefined
      for (const line of fs.readFileSync(logPath, 'utf8').split('\n')) {
        if (line.startsWith('op ')) pending = JSON.parse(line.slice(3))
        else if (line.startsWith('ack ') && pending) {
          acked.push(pending)
          pending = undefined
        }
      }
      resolve({acked, pending})
    })
  })
}

test(`kill -9 at random moments never loses an acknowledged write (${CYCLES} cycles)`, async (t) => {
  const dir = path.join(tempDir(), 'db')
  await createStore(dir, {shards: 3})
  const model = new Map<string, string | undefined>()
  let totalAcked = 0
  for (let cycle = 0; cycle < CYCLES; cycle++) {
    const {acked, pending} = await runAndKill(dir, `c${cycle}`, cycle * 7919 + 1, 5 + ((cycle * 37) % 120))
    totalAcked += acked.length
    for (const op of acked) for (const k of op.keys) model.set(k, op.type === 'del' ? undefined : op.value)
    const uncertain = new Set(pending?.keys ?? [])
    // The store opens for reading and every acknowledged write is there.
    const r = await open(dir, {readOnly: true})
    for (const [k, v] of model) {
      if (uncertain.has(k)) continue
      const got = r.getSync(k)?.value.toString()
      if (got !== v) t.fail(`cycle ${cycle}: key ${k} is ${got}, acknowledged ${v}`)
    }
    let live = 0
    for (const kv of r.scanSync()) {
      const k = kv.key.toString()
      if (uncertain.has(k)) continue
      if (model.get(k) !== kv.value.toString()) t.fail(`cycle ${cycle}: scan found unexpected ${k}`)
      live++
    }
    t.is(live, [...model].filter(([k, v]) => v !== undefined && !uncertain.has(k)).length)
    await r.close()
    // Settle the in-flight op's keys as the store recovered them.
    const w = await open(dir)
    for (const k of uncertain) model.set(k, w.getSync(k)?.value.toString())
    await w.close()
  }
  t.true(totalAcked > CYCLES, `acknowledged ${totalAcked} operations`)
  const r = await open(dir, {readOnly: true})
  t.true(r.stats().totals.tables > 0, 'the workload flushed and compacted while being killed')
  await r.close()
})
