import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {open} from '../../src/index.js'
import {tempDir} from '../helpers/temp.js'
import {strata, strataAsync, type CliResult} from '../helpers/cli.js'

test('4 writer processes (put and put --batch) lose nothing while a reader scans', async (t) => {
  const base = tempDir()
  const dir = path.join(base, 'db')
  t.is(strata(['init', '--dir', dir, '--shards', '4']).code, 0)
  t.is(strata(['put', '--dir', dir, 'seed', 'x']).code, 0)

  const batchFiles = [0, 1].map((w) => {
    const file = path.join(base, `batch-${w}.ndjson`)
    const lines = Array.from({length: 3000}, (_, i) => JSON.stringify({key: `batch${w}:${String(i).padStart(5, '0')}`, value: `w${w}-${i}`}))
    fs.writeFileSync(file, lines.join('\n') + '\n')
    return file
  })
  const writers: Promise<CliResult>[] = []
  for (const file of batchFiles) writers.push(strataAsync(['put', '--dir', dir, '--batch', file, '--lock-timeout', '120s']))
  for (const w of [2, 3]) {
    writers.push(
      (async () => {
        let last: CliResult = {code: 0, stdout: '', stderr: '', stdoutBytes: Buffer.alloc(0)}
        for (let i = 0; i < 12; i++) {
          last = await strataAsync(['put', '--dir', dir, `single${w}:${i}`, `w${w}-${i}`, '--lock-timeout', '120s'])
          if (last.code !== 0) return last
        }
        return last
      })(),
    )
  }
  let writing = true
  const scans: CliResult[] = []
  const reader = (async () => {
    while (writing) scans.push(await strataAsync(['scan', '--dir', dir, '--keys-only', '--format', 'ndjson']))
  })()
  const results = await Promise.all(writers)
  writing = false
  await reader
  for (const r of results) t.is(r.code, 0, r.stderr)
  t.true(scans.length > 0)
  for (const s of scans) {
    t.is(s.code, 0, `a concurrent scan failed: ${s.stderr}`)
    t.true(s.stdout.includes('seed'))
  }

  const store = await open(dir, {readOnly: true})
  for (const w of [0, 1]) for (let i = 0; i < 3000; i++) t.is(store.getSync(`batch${w}:${String(i).padStart(5, '0')}`)?.value.toString(), `w${w}-${i}`)
  for (const w of [2, 3]) for (let i = 0; i < 12; i++) t.is(store.getSync(`single${w}:${i}`)?.value.toString(), `w${w}-${i}`)
  t.is([...store.scanSync()].length, 1 + 6000 + 24)
  await store.close()
})
