/**
 * Every kind of record survives `strata shard-rebalance` with every field:
 * TTL'd (`put --ttl`, `"ttl"` lines), JSON (`put --json`, JSON lines),
 * binary keys and values (hex), empty values; expired records read as absent
 * before and after, and deleted keys stay deleted.
 */
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {strata} from '../helpers/cli.js'
import {tempDir} from '../helpers/temp.js'
import {contentsOf, digestOf, expectExit, initStore, loadBatch, rebalance, storeState, verifyOf} from './cli-support.js'

/** Keys that have expired by the time the store is rebalanced, in hex. */
const EXPIRED = ['exp:cli', 'exp:batch:1', 'exp:batch:2'].map((k) => Buffer.from(k).toString('hex'))
const DELETED = Buffer.from('deleted:1').toString('hex')

function writeRecords(dir: string, root: string): void {
  const put = (...args: string[]): void => void expectExit(strata(['put', '--dir', dir, ...args]), 0, `put ${args.join(' ')}`)
  put('ttl:cli', 'lives an hour', '--ttl', '1h')
  put('json:cli', '{"list": [1, 2, 3],  "spaced": true}', '--json')
  put('json+ttl:cli', '{"n":1}', '--json', '--ttl', '2h')
  put('00ff0080', 'fffe0001', '--key-encoding', 'hex', '--value-encoding', 'hex')
  put('empty:cli', '', '--value-encoding', 'hex')
  put('exp:cli', 'gone soon', '--ttl', '300ms')
  put('deleted:1', 'then deleted')
  expectExit(strata(['delete', '--dir', dir, 'deleted:1']), 0, 'delete')
  const lines: object[] = []
  for (let i = 0; i < 400; i++) {
    const key = `rec:${String(i).padStart(4, '0')}`
    switch (i % 5) {
      case 0: lines.push({key, value: `ttl ${i}`, ttl: '3h'}); break
      case 1: lines.push({key, value: {i, nested: {ok: i % 2 === 0}}, valueEncoding: 'json'}); break
      case 2: lines.push({key: Buffer.from([0x00, i & 0xff, 0xff, i >> 8]).toString('hex'), value: Buffer.from([i & 0xff, 0x00, 0xfe]).toString('hex'), encoding: 'hex'}); break
      case 3: lines.push({key, value: '', expiresAt: Date.now() + 86_400_000}); break
      default: lines.push({key, value: `plain ${i}`})
    }
  }
  lines.push({key: 'exp:batch:1', value: 'x', ttl: 300}, {key: 'exp:batch:2', value: {a: 1}, valueEncoding: 'json', ttl: '300ms'})
  const file = path.join(root, 'records.ndjson')
  fs.writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n')
  loadBatch(dir, file)
}

/** Checks that the expired and deleted keys read as absent. */
function assertAbsent(t: import('ava').ExecutionContext, dir: string, when: string): void {
  for (const key of [...EXPIRED, DELETED]) {
    const r = strata(['get', '--dir', dir, '--key-encoding', 'hex', key])
    t.is(r.code, 1, `${when}: ${Buffer.from(key, 'hex').toString()} is read`)
  }
}

test('TTL\'d, JSON, binary and empty records keep every field through a grow and a shrink; expired ones stay gone', async (t) => {
  t.timeout(120_000)
  const root = tempDir(t)
  const dir = path.join(root, 'db')
  initStore(dir, 3)
  writeRecords(dir, root)
  // Half of the store in tables, half in the WALs.
  expectExit(strata(['compact', '--dir', dir]), 0, 'compact')
  expectExit(strata(['put', '--dir', dir, 'json:late', '[true, null]', '--json', '--ttl', '5h']), 0, 'put')
  await new Promise((r) => setTimeout(r, 600))

  const contents = contentsOf(dir)
  t.is(contents.length, 400 + 6)
  const kinds = contents.map((line) => JSON.parse(line) as unknown[])
  t.true(kinds.some((r) => r[4] === true && r[5] !== null), 'a JSON record with an expiry')
  t.true(kinds.some((r) => r[3] === 'base64' || r[3] === 'hex'), 'a binary value')
  assertAbsent(t, dir, 'before')
  const digest = digestOf(dir, 'now')

  for (const m of [5, 2]) {
    const r = rebalance(dir, m)
    t.is(r.code, 0, r.stderr)
    t.is(storeState(dir).shards, m)
    t.deepEqual(contentsOf(dir), contents, `after the rebalance to ${m}`)
    t.deepEqual(digestOf(dir, 'now'), {...digest, shardCount: m})
    assertAbsent(t, dir, `after the rebalance to ${m}`)
    t.is(verifyOf(dir).code, 0)
  }
  // get prints a JSON record as JSON, and a binary value byte for byte.
  const json = strata(['get', '--dir', dir, 'json:cli'])
  t.is(json.code, 0)
  t.deepEqual(JSON.parse(json.stdout), {list: [1, 2, 3], spaced: true})
  const raw = strata(['get', '--dir', dir, '--key-encoding', 'hex', '00ff0080', '--raw'])
  t.is(raw.code, 0)
  t.deepEqual(raw.stdoutBytes, Buffer.from('fffe0001', 'hex'))
})
