/**
 * verify while another process writes: a child process (live-writer.ts)
 * writes, flushes and compacts without pause; verify runs over and over
 * meanwhile, in process and as the CLI. It must never report an error (a
 * torn tail at the end of the live WAL and not-yet-listed files are only
 * warnings), and the writer must keep going, finish cleanly and have every
 * write it made in the store.
 */
import test from 'ava'
import * as path from 'node:path'
import {spawn} from 'node:child_process'
import {createStore, open, verifyStore, type VerifyReport} from '../../src/index.js'
import {repoRoot, tempDir} from '../helpers/temp.js'
import {strataAsync} from '../helpers/cli.js'

const writerJs = path.join(repoRoot, 'dist', 'test', 'verify', 'live-writer.js')

test('verify never fails and never disturbs a writer that is flushing and compacting', async (t) => {
  const dir = path.join(tempDir('strata-verify-live-'), 'db')
  await createStore(dir, {shards: 3})
  const child = spawn(process.execPath, [writerJs, dir, '12345'], {stdio: ['pipe', 'pipe', 'pipe']})
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  let out = ''
  let err = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d))
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  const acks = (): number => out.split('\n').filter((l) => l.startsWith('ack ')).length
  const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
  while (acks() < 3) {
    if (child.exitCode !== null) return t.fail(`the writer exited early: ${err}`)
    await tick(10)
  }

  const reports: VerifyReport[] = []
  let cliRuns = 0
  const tableCounts = new Set<number>()
  const started = Date.now()
  const acksAtStart = acks()
  // At least 4 s and 20 runs (3 of them the CLI), at most 90 s, however loaded the machine is.
  const enough = (): boolean => Date.now() - started >= 4000 && reports.length >= 20 && cliRuns >= 3
  while (!enough() && Date.now() - started < 90_000) {
    const r = verifyStore(dir, {quick: reports.length % 3 === 2})
    reports.push(r)
    tableCounts.add(r.summary.tables)
    if (r.summary.errors > 0) t.fail(`verify reported errors while the writer ran: ${JSON.stringify(r.findings.filter((f) => f.severity === 'error'))}`)
    if (reports.length % 5 === 0) {
      const c = await strataAsync(['verify', '--dir', dir, '--format', 'json'])
      cliRuns++
      if (c.code !== 0) t.fail(`strata verify exited ${c.code} while the writer ran: ${c.stdout} ${c.stderr}`)
    }
    await tick(5)
  }
  t.is(child.exitCode, null, `the writer is still running (${err})`)
  t.true(acks() > acksAtStart, 'the writer kept acknowledging writes')
  t.true(reports.length >= 20, `verify ran ${reports.length} times`)
  t.true(cliRuns >= 3)
  t.true(tableCounts.size > 1, 'verify saw the writer flush and compact')
  // Warnings only: a record being appended (torn tail), files a flush or compaction has not yet listed or deleted.
  for (const r of reports) t.true(r.findings.every((f) => f.check === 'wal.torn-tail' || f.check === 'manifest.replay'), JSON.stringify(r.findings))

  // Stop the writer: it finishes, closes the store and reports what it wrote.
  child.stdin.end()
  t.is(await exited, 0, `the writer failed: ${err}`)
  const done = out.split('\n').find((l) => l.startsWith('done '))
  t.truthy(done, 'the writer reported its final state')
  const model = new Map(JSON.parse(done!.slice(5)) as Array<[string, string | null]>)
  const after = verifyStore(dir)
  t.deepEqual(after.findings, [])
  const store = await open(dir, {readOnly: true})
  try {
    let wrong = 0
    for (const [k, v] of model) if ((store.getSync(k)?.value.toString() ?? null) !== v) wrong++
    t.is(wrong, 0, 'every write the writer made is in the store')
    t.true(model.size > 100)
  } finally {
    await store.close()
  }
})
