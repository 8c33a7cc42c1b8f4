/**
 * dump and explain run while another process writes (flushing and
 * compacting all the time): they never fail, always print a consistent
 * view, and do not disturb the writer.
 */
import test from 'ava'
import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process'
import * as path from 'node:path'
import {fileURLToPath} from 'node:url'
import {createStore, open} from '../../src/index.js'
import {strataAsync as strata, tempDir} from './helpers.js'

const writerJs = path.join(path.dirname(fileURLToPath(import.meta.url)), 'writer.js')

/** A writer process (writer.ts): sync 'always', 8 KiB WAL flushes, a compaction every 3 tables; prints "ack N KEY" per write. */
class Writer {
  readonly child: ChildProcessWithoutNullStreams
  acks = 0
  lastKey = ''
  /** Value of each acknowledged put of a "k" key, as the writer wrote it. */
  readonly values = new Map<string, string>()
  stderr = ''
  exited: number | null | undefined
  private waiters: Array<() => void> = []

  constructor(dir: string) {
    this.child = spawn(process.execPath, [writerJs, dir], {stdio: ['pipe', 'pipe', 'pipe']})
    let buf = ''
    this.child.stdout.setEncoding('utf8').on('data', (d: string) => {
      buf += d
      let nl
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl)
        buf = buf.slice(nl + 1)
        const m = /^ack (\d+) (\S*)$/.exec(line)
        if (m) {
          this.acks++
          const n = Number(m[1])
          if (m[2] !== '') {
            this.lastKey = m[2]
            this.values.set(m[2], `v${n}-${'x'.repeat(n % 200)}`)
          }
        }
      }
      for (const w of this.waiters.splice(0)) w()
    })
    this.child.stderr.setEncoding('utf8').on('data', (d: string) => (this.stderr += d))
    this.child.on('exit', (code) => {
      this.exited = code
      for (const w of this.waiters.splice(0)) w()
    })
  }

  /** Resolves once at least `n` writes were acknowledged. */
  async until(n: number): Promise<void> {
    while (this.acks < n) {
      if (this.exited !== undefined) throw new Error(`writer exited (${this.exited}): ${this.stderr}`)
      await new Promise<void>((resolve) => this.waiters.push(resolve))
    }
  }
}

test('dump and explain never fail and never disturb a writer that flushes and compacts underneath them', async (t) => {
  t.timeout(240_000)
  const dir = path.join(tempDir(), 'db')
  await createStore(dir, {shards: 2, compression: 'zlib'})
  const writer = new Writer(dir)
  t.teardown(() => writer.child.kill('SIGKILL'))
  await writer.until(300)

  const failures: string[] = []
  let reads = 0
  for (let round = 0; round < 8; round++) {
    const acksBefore = writer.acks
    const key = writer.lastKey
    const listing = round % 2 === 0 ? ['--records', '--format', 'ndjson'] : ['--layout', '--format', 'ndjson']
    const [summary, latest, other, explain] = await Promise.all([
      strata(['dump', dir, '--format', 'json']),
      strata(['dump', dir, '--latest', '--format', 'ndjson']),
      strata(['dump', dir, ...listing]),
      strata(['explain', key, '--dir', dir, '--format', 'json']),
    ])
    reads += 4
    for (const [name, r] of Object.entries({summary, latest, [listing[0]]: other})) {
      if (r.code !== 0 || r.stderr !== '') failures.push(`round ${round} ${name}: exit ${r.code}: ${r.stderr}`)
    }
    if (failures.length > 0) break
    const files = (JSON.parse(summary.stdout) as {files: Array<{kind: string}>}).files
    t.is(files.filter((f) => f.kind === 'manifest').length, 2, 'one manifest per shard: a consistent snapshot')
    t.is(files.filter((f) => f.kind === 'wal').length, 2, 'one WAL per shard')
    const keys = latest.stdout.split('\n').filter((l) => l !== '').map((l) => Buffer.from((JSON.parse(l) as {key: string}).key))
    t.true(keys.length > 0)
    t.true(keys.every((k, i) => i === 0 || Buffer.compare(keys[i - 1], k) < 0), 'strictly increasing keys')
    t.true(keys.some((k) => k.toString() === key), `${key}, acknowledged before the dump started, is in it`)
    // Each listing is one snapshot per shard, taken at its own moment: only its form is checked here.
    t.true(other.stdout.split('\n').filter((l) => l !== '').every((l) => typeof JSON.parse(l) === 'object'))
    // The key was acknowledged before explain started and the writer never deletes it: it is live.
    t.is(explain.code, 0, explain.stderr)
    t.like(JSON.parse(explain.stdout), {key, state: 'live', winner: 0})
    t.is(writer.exited, undefined, `the writer is still running: ${writer.stderr}`)
    await writer.until(acksBefore + 20)
  }
  t.deepEqual(failures, [])
  t.is(writer.stderr, '', 'the writer reported no error')
  t.is(reads, 32)

  // Every write the writer acknowledged is there after it is killed (or a newer write of that key, in flight at the kill).
  writer.child.kill('SIGKILL')
  await new Promise((resolve) => writer.child.once('exit', resolve))
  const store = await open(dir, {readOnly: true})
  try {
    const seqOf = (v: string | undefined): number => Number(/^v(\d+)-/.exec(v ?? '')?.[1] ?? -1)
    const wrong = [...writer.values].filter(([k, v]) => {
      const got = store.getSync(k)?.value.toString()
      return got !== v && !(seqOf(got) > seqOf(v) && got === `v${seqOf(got)}-${'x'.repeat(seqOf(got) % 200)}`)
    })
    t.deepEqual(wrong, [])
  } finally {
    await store.close()
  }
})
