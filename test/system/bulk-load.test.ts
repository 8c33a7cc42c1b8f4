import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {randomBytes} from 'node:crypto'
import {tempDir} from '../helpers/temp.js'
import {strata} from '../helpers/cli.js'

const N = 200_000

test('200k keys loaded with put --batch read back byte-exact by get and scan from new processes, before and after compact', (t) => {
  const base = tempDir()
  const dir = path.join(base, 'd')
  t.is(strata(['init', '--dir', dir, '--shards', '8']).code, 0)
  const model = new Map<string, string>()
  const lines: string[] = []
  for (let i = 0; i < N; i++) {
    const key = `key:${String(i).padStart(7, '0')}`
    // Binary values (any byte), given in hex.
    const value = randomBytes(8 + (i % 24)).toString('hex')
    model.set(key, value)
    lines.push(JSON.stringify({key: Buffer.from(key).toString('hex'), value, encoding: 'hex'}))
  }
  const file = path.join(base, 'load.ndjson')
  fs.writeFileSync(file, lines.join('\n') + '\n')
  const load = strata(['put', '--dir', dir, '--batch', file, '--format', 'json'])
  t.is(load.code, 0, load.stderr)
  t.is(JSON.parse(load.stdout).puts, N)

  const keys = [...model.keys()].sort()
  const checkScan = (label: string): void => {
    const r = strata(['scan', '--dir', dir, '--format', 'ndjson', '--value-encoding', 'hex'])
    t.is(r.code, 0, r.stderr)
    const rows = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as {key: string; value: string})
    t.is(rows.length, N, `${label}: scan count`)
    let bad = 0
    rows.forEach((row, i) => {
      if (row.key !== keys[i] || row.value !== model.get(keys[i])) bad++
    })
    t.is(bad, 0, `${label}: scan rows that differ from what was loaded`)
  }
  checkScan('after load')

  // get, every key, in processes of 20k keys each.
  for (let i = 0; i < N; i += 20_000) {
    const chunk = keys.slice(i, i + 20_000)
    const r = strata(['get', '--dir', dir, '--format', 'ndjson', '--value-encoding', 'hex', ...chunk])
    t.is(r.code, 0, r.stderr)
    const rows = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as {key: string; value: string})
    t.is(rows.length, chunk.length)
    t.is(rows.filter((row) => model.get(row.key) !== row.value).length, 0)
  }

  const c = strata(['compact', '--dir', dir])
  t.is(c.code, 0, c.stderr)
  checkScan('after compact')
})
