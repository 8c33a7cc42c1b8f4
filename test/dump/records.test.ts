/**
 * `dump --records` and `dump --latest` decode exactly what the engine
 * reads, and the dump → put round trip reproduces a store's live data.
 */
import test from 'ava'
import {spawnSync} from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as zlib from 'node:zlib'
import {decodedLiveRecords} from '../../src/index.js'
import {decodeWal} from '../../src/wal/reader.js'
import {TableReader} from '../../src/sstable/reader.js'
import {nodeFileSystem} from '../../src/vfs/node-fs.js'
import {Kind, ValueCodec, type Entry} from '../../src/record/format.js'
import {cliEnv, runJs} from '../helpers/cli.js'
import {engineLive, hex, sharedStore, storeFiles, strataAsync as strata, tempDir, type Live} from './helpers.js'

interface RecordLine {
  key: string; keyEncoding: string; value?: string; valueEncoding?: string; delete?: true; json?: boolean; expiresAt?: number | null
  shard: number; seq: number; file?: string; offset?: number; block?: number; flags?: string[]
}

const lines = <T>(s: string): T[] => s.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as T)
const HEX = ['--key-encoding', 'hex', '--value-encoding', 'hex']

/** A dumped record in a comparable form. */
function fromDump(r: RecordLine) {
  t0(r.keyEncoding === 'hex' && (r.delete === true || r.valueEncoding === 'hex'))
  return {key: r.key, seq: r.seq, kind: r.delete ? 'delete' : 'put', value: r.value ?? '', expiresAt: r.expiresAt ?? null, json: r.json ?? false}
}

/** An engine entry in the same form. */
function fromEngine(e: Entry) {
  const value = e.codec === ValueCodec.ZLIB ? zlib.inflateSync(e.value) : e.value
  return {
    key: hex(e.key), seq: e.seq, kind: e.kind === Kind.DELETE ? 'delete' : 'put', value: e.kind === Kind.DELETE ? '' : hex(value),
    expiresAt: e.kind === Kind.DELETE ? null : e.expiresAt ?? null, json: e.kind === Kind.DELETE ? false : e.json === true,
  }
}

function t0(ok: boolean): void {
  if (!ok) throw new Error('records must come back in the requested encodings')
}

for (const compression of ['zlib', 'none'] as const) {
  const label = `(compression ${compression})`

  test(`--records of every WAL equals what the engine's WAL reader decodes ${label}`, async (t) => {
    const dir = await sharedStore(compression)
    const wals = storeFiles(dir).filter((f) => f.kind === 'wal')
    let total = 0
    for (const w of wals) {
      const r = await strata(['dump', w.path, '--records', '--locations', '--format', 'ndjson', ...HEX])
      t.is(r.code, 0, r.stderr)
      const dumped = lines<RecordLine>(r.stdout)
      const engine = decodeWal(fs.readFileSync(w.path), w.path)
      t.deepEqual(dumped.map(fromDump), engine.batches.flatMap((b) => b.entries.map(fromEngine)))
      t.deepEqual(dumped.map((d) => d.offset), engine.batches.flatMap((b) => b.entries.map(() => b.offset)))
      t.true(dumped.every((d) => d.file === w.path && d.shard === engine.shard))
      total += dumped.length
    }
    t.true(total > 0, 'data was left in the WALs')
  })

  test(`--records of every SSTable equals what the engine's table reader returns ${label}`, async (t) => {
    const dir = await sharedStore(compression)
    for (const f of storeFiles(dir).filter((x) => x.kind === 'sst')) {
      const r = await strata(['dump', f.path, '--records', '--locations', '--format', 'ndjson', ...HEX])
      t.is(r.code, 0, r.stderr)
      const dumped = lines<RecordLine>(r.stdout)
      const reader = TableReader.open(nodeFileSystem, f.path)
      try {
        t.deepEqual(dumped.map(fromDump), [...reader.entries()].map(fromEngine))
        // Each entry is reported in the data block that holds it.
        for (const d of dumped) {
          const i = d.block!
          t.is(d.offset, reader.index[i].handle.offset)
          const key = Buffer.from(d.key, 'hex')
          t.true(Buffer.compare(key, reader.index[i].lastKey) <= 0)
          if (i > 0) t.true(Buffer.compare(key, reader.index[i - 1].lastKey) > 0)
        }
      } finally {
        reader.close()
      }
    }
  })

  test(`--latest gives exactly what the engine's scan returns, in key order ${label}`, async (t) => {
    const dir = await sharedStore(compression)
    const expected = await engineLive(dir)
    t.true(expected.length > 100)
    t.true(expected.some((x) => x.expiresAt !== null), 'some live keys have a TTL')
    t.true(expected.some((x) => x.json), 'some values are JSON')
    const r = await strata(['dump', dir, '--latest', '--format', 'ndjson', ...HEX])
    t.is(r.code, 0, r.stderr)
    const got: Live[] = lines<RecordLine>(r.stdout).map((x) => ({key: x.key, value: x.value!, json: x.json!, expiresAt: x.expiresAt ?? null, shard: x.shard, seq: x.seq}))
    t.deepEqual(got, expected)
    // Same answer in the JSON document, with the count.
    const doc = JSON.parse((await strata(['dump', dir, '--latest', '--format', 'json', ...HEX])).stdout) as {records: RecordLine[]; count: number; tornTails: unknown[]}
    t.is(doc.count, expected.length)
    t.deepEqual(doc.records.map((x) => x.key), expected.map((x) => x.key))
    t.deepEqual(doc.tornTails, [])
    // And from one shard directory: that shard's keys.
    const one = lines<RecordLine>((await strata(['dump', path.join(dir, 'shard-0002'), '--latest', '--format', 'ndjson', ...HEX])).stdout)
    t.deepEqual(one.map((x) => x.key), expected.filter((x) => x.shard === 2).map((x) => x.key))
  })

  test(`the library's decodedLiveRecords equals the engine's scan ${label}`, async (t) => {
    const dir = await sharedStore(compression)
    const got = [...decodedLiveRecords(dir)].map((r) => ({
      key: hex(r.key), value: hex(r.value), json: r.json, expiresAt: r.expiresAt ?? null, shard: r.shard, seq: r.seq,
    }))
    t.deepEqual(got, await engineLive(dir))
  })

  test(`--records in text and table: one line per record, bytes escaped ${label}`, async (t) => {
    const dir = await sharedStore(compression)
    const r = await strata(['dump', dir, '--records'])
    t.is(r.code, 0, r.stderr)
    const rows = r.stdout.split('\n').filter((l) => l !== '')
    for (const row of rows) t.is(row.split('\t').length, 8, row)
    t.true(rows.some((l) => /\tdelete\t/.test(l)))
    t.true(rows.some((l) => /\\x00/.test(l)), 'binary keys are escaped')
    t.true(rows.some((l) => /\(expired\)\thas_expiry$/.test(l)), 'expired versions are marked')
    t.true(rows.some((l) => /\tblock \d+ @\d+\t/.test(l)) && rows.some((l) => /\t@\d+\t/.test(l)))
    const table = await strata(['dump', dir, '--latest', '--format', 'table'])
    t.regex(table.stdout, /│ FILE +│ AT +│ SEQ │ KIND │ KEY/)
  })
}

/** Live records compared across stores: the same keys, values and JSON marks (seq and shard may differ). */
function content(live: readonly Live[]) {
  return live.map(({key, value, json}) => ({key, value, json}))
}

/** expiresAt after the copy minus before (0 when the copy keeps it exactly). */
function expiryDrift(before: readonly Live[], after: readonly Live[]): number[] {
  return before.map((b, i) => (b.expiresAt === null ? (after[i].expiresAt === null ? 0 : Number.NaN) : after[i].expiresAt! - b.expiresAt))
}

async function copyOf(dir: string, keyEnc: string, valueEnc: string, shards: number): Promise<{copy: string; put: {puts: number; deletes: number; expired: number}}> {
  const copy = path.join(tempDir(), 'copy')
  const init = await strata(['init', '--dir', copy, '--shards', String(shards)])
  if (init.code !== 0) throw new Error(init.stderr)
  const dump = await strata(['dump', dir, '--latest', '--format', 'ndjson', '--key-encoding', keyEnc, '--value-encoding', valueEnc])
  if (dump.code !== 0) throw new Error(dump.stderr)
  const put = await strata(['put', '--batch', '-', '--dir', copy, '--format', 'json'], dump.stdout)
  if (put.code !== 0) throw new Error(put.stderr)
  return {copy, put: JSON.parse(put.stdout) as {puts: number; deletes: number; expired: number}}
}

for (const [keyEnc, valueEnc] of [['utf8', 'utf8'], ['hex', 'hex'], ['base64', 'base64'], ['hex', 'base64']] as const) {
  test(`round trip: dump --latest --format ndjson | put --batch reproduces every live key and value (${keyEnc}/${valueEnc})`, async (t) => {
    const dir = await sharedStore(keyEnc === 'utf8' ? 'zlib' : 'none')
    const expected = await engineLive(dir)
    const {copy, put} = await copyOf(dir, keyEnc, valueEnc, 2)
    t.like(put, {puts: expected.length, deletes: 0, expired: 0})
    const got = await engineLive(copy)
    t.deepEqual(content(got), content(expected))
    t.true(expected.filter((x) => x.expiresAt !== null).length > 5)
    for (const d of expiryDrift(expected, got)) t.is(d, 0, `expiresAt moved by ${d} ms`)
  })
}

test('round trip through a real shell pipe, byte for byte', async (t) => {
  const dir = await sharedStore('none')
  const expected = await engineLive(dir)
  const copy = path.join(tempDir(), 'copy')
  t.is((await strata(['init', '--dir', copy, '--shards', '5'])).code, 0)
  const node = JSON.stringify(process.execPath)
  const bin = JSON.stringify(runJs)
  const r = spawnSync('sh', ['-c', `${node} ${bin} dump ${JSON.stringify(dir)} --latest --format ndjson --key-encoding base64 --value-encoding base64 | ${node} ${bin} put --batch - --dir ${JSON.stringify(copy)}`], {env: cliEnv(), encoding: 'utf8'})
  t.is(r.status, 0, r.stderr)
  const got = await engineLive(copy)
  t.deepEqual(content(got), content(expected))
  for (const d of expiryDrift(expected, got)) t.is(d, 0, `expiresAt moved by ${d} ms`)
})

test('round trip keeps expiresAt to the millisecond', async (t) => {
  const dir = await sharedStore('none')
  const expected = await engineLive(dir)
  const {copy} = await copyOf(dir, 'base64', 'base64', 3)
  const got = await engineLive(copy)
  t.deepEqual(got.map((x) => x.expiresAt), expected.map((x) => x.expiresAt))
})
