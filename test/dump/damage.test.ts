/**
 * Damaged files: dump stops with exit 3 and one line naming the file and a
 * byte offset inside the damage - never a stack trace, never exit 0 - while
 * a torn WAL tail (an append cut short) is not damage.
 */
import test, {type ExecutionContext} from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {parseSstable} from '../../src/kaitai/index.js'
import {crc32} from '../../src/util/crc.js'
import {buildStore, firstFile, strataAsync as strata, tempDir, type CliResult} from './helpers.js'

let pristine: Promise<string> | undefined
/** A fresh copy of one engine-built store (zlib), to damage. */
async function damagedCopy(): Promise<string> {
  pristine ??= buildStore('zlib')
  const dir = path.join(tempDir(), 'db')
  fs.cpSync(await pristine, dir, {recursive: true})
  return dir
}

function flip(file: string, at: number): void {
  const b = fs.readFileSync(file)
  b[at] ^= 0x10
  fs.writeFileSync(file, b)
}

/** Exit 3, one stderr line "strata: error CORRUPTION: FILE: ... at byte N", N in [lo, hi); returns N. */
function assertCorruption(t: ExecutionContext, r: CliResult, file: string, lo: number, hi: number): number {
  t.is(r.code, 3, r.stderr)
  const lines = r.stderr.split('\n').filter((l) => l !== '')
  t.is(lines.length, 1, r.stderr)
  t.notRegex(r.stderr, /\n\s+at /, 'no stack trace')
  const m = /^strata: error CORRUPTION: (.+?): .* at byte (\d+)$/.exec(lines[0] ?? '')
  t.truthy(m, lines[0])
  t.is(m?.[1], file)
  const at = Number(m?.[2])
  t.true(at >= lo && at < hi, `offset ${at} not in [${lo}, ${hi})`)
  return at
}

/** The first data block of a table: [offset, end of its trailer). */
function firstBlock(file: string): [number, number] {
  const h = parseSstable(fs.readFileSync(file), file, {dataBlocks: 'skip'}).index.entries[0].handle
  return [h.offset, h.offset + h.size + 5]
}

test('a bit flip in a data block: every view of the file, the directory and --latest exit 3 naming the block', async (t) => {
  const dir = await damagedCopy()
  const sst = firstFile(dir, 'sst')
  const [lo, hi] = firstBlock(sst)
  flip(sst, lo + Math.floor((hi - lo) / 2))
  for (const args of [[sst], [sst, '--records'], [sst, '--format', 'json']]) {
    const r = await strata(['dump', ...args])
    if (args.includes('json')) {
      t.is(r.code, 3)
      const doc = JSON.parse(r.stderr) as {error: {code: string; file: string; offset: number}}
      t.like(doc.error, {code: 'CORRUPTION', file: sst})
      t.true(doc.error.offset >= lo && doc.error.offset < hi)
    } else {
      assertCorruption(t, r, sst, lo, hi)
    }
    t.is(r.stdout, '', 'nothing of the damaged file is printed')
  }
  assertCorruption(t, await strata(['dump', dir]), sst, lo, hi)
  assertCorruption(t, await strata(['dump', dir, '--latest']), sst, lo, hi)
})

test('--layout and --hex show a block whose checksum does not verify, then exit 3', async (t) => {
  const dir = await damagedCopy()
  const sst = firstFile(dir, 'sst')
  const [lo, hi] = firstBlock(sst)
  flip(sst, lo + 1)
  const layout = await strata(['dump', sst, '--layout', '--format', 'json'])
  assertCorruption(t, {...layout, stderr: `strata: error CORRUPTION: ${(JSON.parse(layout.stderr) as {error: {message: string}}).error.message}\n`}, sst, lo, hi)
  const doc = JSON.parse(layout.stdout) as {files: Array<{blocks: Array<{type: string; crc: {ok: boolean} | null; entries?: number | null}>}>}
  const blocks = doc.files[0].blocks
  t.like(blocks[0], {type: 'data', crc: {ok: false}, entries: null})
  t.true(blocks.slice(1).every((b) => b.crc === null || b.crc.ok))
  const text = await strata(['dump', sst, '--layout'])
  t.regex(text.stdout, /^ {2}data 0 .* crc=0x[0-9a-f]{8} MISMATCH \(computed 0x[0-9a-f]{8}\)$/m)
  assertCorruption(t, text, sst, lo, hi)
  const hex = await strata(['dump', sst, '--hex'])
  t.regex(hex.stdout, /data_blocks\[0\] = (zlib stream|stored contents), \d+ bytes \(not decoded: checksum mismatch\)/)
  t.regex(hex.stdout, /data_blocks\[0\]\.trailer\.crc = 0x[0-9a-f]{8} MISMATCH/)
  assertCorruption(t, hex, sst, lo, hi)
})

test('a damaged footer, index or properties block is named as such', async (t) => {
  const dir = await damagedCopy()
  const sst = firstFile(dir, 'sst')
  const size = fs.statSync(sst).size
  const t0 = parseSstable(fs.readFileSync(sst), sst, {dataBlocks: 'skip'})
  const cases: Array<[number, number, number, RegExp]> = [
    [size - 52 + 3, size - 52, size, /footer/],
    [size - 52 + 45, size - 52, size, /magic/],
    [t0.footer.index.offset + 1, t0.footer.index.offset, t0.footer.index.offset + t0.footer.index.size + 5, /index/],
    [t0.footer.properties.offset + 20, t0.footer.properties.offset, t0.footer.properties.offset + t0.footer.properties.size + 5, /properties/],
    [t0.footer.filter.offset + 2, t0.footer.filter.offset, t0.footer.filter.offset + t0.footer.filter.size + 5, /filter/],
  ]
  const original = fs.readFileSync(sst)
  for (const [at, lo, hi, what] of cases) {
    fs.writeFileSync(sst, original)
    flip(sst, at)
    const r = await strata(['dump', sst])
    assertCorruption(t, r, sst, lo, hi)
    t.regex(r.stderr, what)
  }
})

test('truncated, empty and foreign tables exit 3', async (t) => {
  const dir = await damagedCopy()
  const sst = firstFile(dir, 'sst')
  const bytes = fs.readFileSync(sst)
  const cases: Array<[string, Buffer]> = [
    ['000901.sst', bytes.subarray(0, bytes.length - 1)],
    ['000902.sst', bytes.subarray(0, 100)],
    ['000903.sst', Buffer.alloc(0)],
    ['000904.sst', Buffer.concat([Buffer.alloc(200, 7), bytes.subarray(bytes.length - 8)])],
  ]
  for (const [name, b] of cases) {
    const file = path.join(path.dirname(dir), name)
    fs.writeFileSync(file, b)
    assertCorruption(t, await strata(['dump', file]), file, 0, Math.max(b.length, 1) + 1)
  }
})

test('a damaged WAL record with valid records after it is corruption at that record', async (t) => {
  const dir = await damagedCopy()
  const wal = firstFile(dir, 'wal', (p) => fs.statSync(p).size > 200)
  const b = fs.readFileSync(wal)
  // The second record: header 20 bytes, then the first record (9-byte header + length).
  const second = 20 + 9 + b.readUInt32LE(24)
  flip(wal, second + 12)
  for (const args of [[wal], [wal, '--records'], [wal, '--hex'], [wal, '--layout'], [dir, '--latest']]) {
    assertCorruption(t, await strata(['dump', ...args]), wal, second, second + 9 + b.readUInt32LE(second + 4))
  }
})

test('a torn WAL tail is not damage: complete records are shown and the tail is noted', async (t) => {
  const dir = await damagedCopy()
  const wal = firstFile(dir, 'wal', (p) => fs.statSync(p).size > 200)
  const b = fs.readFileSync(wal)
  const cut = b.length - 3
  fs.writeFileSync(wal, b.subarray(0, cut))
  const summary = await strata(['dump', wal, '--json'])
  t.is(summary.code, 0, summary.stderr)
  const s = (JSON.parse(summary.stdout) as {files: Array<{tornTail: {offset: number; bytes: number; reason: string}; validLength: number; records: number}>}).files[0]
  t.is(s.tornTail.offset, s.validLength)
  t.is(s.tornTail.offset + s.tornTail.bytes, cut)
  t.regex(s.tornTail.reason, /runs past the end of the file/)
  const records = await strata(['dump', wal, '--records', '--format', 'ndjson'])
  t.is(records.code, 0, records.stderr)
  t.regex(records.stderr, /^note: .*torn tail of \d+ bytes at byte \d+/)
  t.is(records.stdout.split('\n').filter((l) => l !== '').length, s.records, 'one record per batch here')
  const json = await strata(['dump', dir, '--latest', '--format', 'json'])
  t.is(json.code, 0, json.stderr)
  t.is(json.stderr, '')
  t.like((JSON.parse(json.stdout) as {tornTails: unknown[]}).tornTails, [{file: wal, offset: s.tornTail.offset, bytes: s.tornTail.bytes}])
  const hex = await strata(['dump', wal, '--hex'])
  t.is(hex.code, 0, hex.stderr)
  t.regex(hex.stdout, /^-- torn tail \[\d+, \d+\) --$/m)
  const layout = await strata(['dump', wal, '--layout'])
  t.regex(layout.stdout, /^ {2}torn-tail +offset=\d+ size=\d+ end=\d+ reason=/m)
})

test('damaged STORE, manifest and CURRENT exit 3', async (t) => {
  const dir = await damagedCopy()
  const store = path.join(dir, 'STORE')
  flip(store, 14)
  assertCorruption(t, await strata(['dump', store]), store, 0, fs.statSync(store).size)
  assertCorruption(t, await strata(['dump', dir]), store, 0, fs.statSync(store).size)

  const manifest = firstFile(dir, 'manifest')
  flip(manifest, 30)
  assertCorruption(t, await strata(['dump', manifest]), manifest, 0, fs.statSync(manifest).size)
  assertCorruption(t, await strata(['dump', manifest, '--hex']), manifest, 0, fs.statSync(manifest).size)

  const current = firstFile(dir, 'current')
  fs.writeFileSync(current, 'MANIFEST-12\n')
  assertCorruption(t, await strata(['dump', current]), current, 0, 1)
})

test('a table the manifest lists but that is gone is reported, not waited on forever', async (t) => {
  const dir = await damagedCopy()
  const sst = firstFile(dir, 'sst')
  fs.rmSync(sst)
  const r = await strata(['dump', path.dirname(sst)])
  t.is(r.code, 3, r.stderr)
  t.is(r.stderr, `strata: error CORRUPTION: ${sst}: missing, yet named by the shard's CURRENT or manifest\n`)
})

test('a WAL record whose checksum holds but whose batch does not decode is corruption at that record', async (t) => {
  const dir = await damagedCopy()
  const wal = firstFile(dir, 'wal', (p) => fs.statSync(p).size > 200)
  const b = fs.readFileSync(wal)
  // An empty batch (count 0), framed and checksummed correctly: only the parser can reject it.
  const body = Buffer.alloc(9)
  body.writeUInt32LE(4, 0)
  body[4] = 1
  const record = Buffer.concat([Buffer.alloc(4), body.subarray(0, 5), Buffer.alloc(4)])
  record.writeUInt32LE(crc32(record.subarray(4)), 0)
  fs.writeFileSync(wal, Buffer.concat([b, record]))
  const r = await strata(['dump', wal, '--records'])
  assertCorruption(t, r, wal, b.length, b.length + record.length)
  t.regex(r.stderr, /WAL records\[\d+\]\.payload\.count fails validation/)
})

test('a WAL damaged in the middle: --records, --hex and --layout show every record before the damage, then exit 3', async (t) => {
  const dir = await damagedCopy()
  const wal = firstFile(dir, 'wal', (p) => fs.statSync(p).size > 200)
  const b = fs.readFileSync(wal)
  const starts: number[] = []
  for (let at = 20; at < b.length; at += 9 + b.readUInt32LE(at + 4)) starts.push(at)
  t.true(starts.length >= 4, `${starts.length} records`)
  const k = Math.floor(starts.length / 2)
  const before = await strata(['dump', wal, '--records', '--format', 'ndjson'])
  t.is(before.code, 0, before.stderr)
  // One entry per record in this store's WAL: the first k lines are the records before the damage.
  const sound = before.stdout.split('\n').filter((l) => l !== '')
  t.is(sound.length, starts.length)
  flip(wal, starts[k] + 12)
  const end = starts[k] + 9 + b.readUInt32LE(starts[k] + 4)

  const records = await strata(['dump', wal, '--records', '--format', 'ndjson'])
  t.is(records.code, 3)
  t.like(JSON.parse(records.stderr), {error: {code: 'CORRUPTION', file: wal, offset: starts[k]}})
  t.deepEqual(records.stdout.split('\n').filter((l) => l !== ''), sound.slice(0, k))
  const text = await strata(['dump', wal, '--records'])
  assertCorruption(t, text, wal, starts[k], end)
  t.is(text.stdout.split('\n').filter((l) => l !== '').length, k)
  const table = await strata(['dump', wal, '--records', '--format', 'table'])
  assertCorruption(t, table, wal, starts[k], end)
  t.is(table.stdout.split('\n').filter((l) => l.includes(`│ ${wal}`)).length, k)

  const hex = await strata(['dump', wal, '--hex'])
  assertCorruption(t, hex, wal, starts[k], end)
  t.deepEqual([...hex.stdout.matchAll(/^-- (record \d+|damaged) \[(\d+), (\d+)\) --$/gm)].map((m) => [m[1], Number(m[2])]),
    [...starts.slice(0, k).map((s, i) => [`record ${i}`, s]), ['damaged', starts[k]]])
  t.regex(hex.stdout, /damaged = \d+ bytes not decoded: record checksum mismatch/)

  const layout = await strata(['dump', wal, '--layout', '--format', 'json'])
  t.is(layout.code, 3)
  t.like(JSON.parse(layout.stderr), {error: {code: 'CORRUPTION', file: wal, offset: starts[k]}})
  const blocks = (JSON.parse(layout.stdout) as {files: Array<{blocks: Array<{type: string; offset: number; end: number}>}>}).files[0].blocks
  t.deepEqual(blocks.map((x) => [x.type, x.offset]), [['header', 0], ...starts.slice(0, k).map((s) => ['record', s]), ['damaged', starts[k]]])
  t.is(blocks.at(-1)?.end, b.length)
  assertCorruption(t, await strata(['dump', wal, '--layout']), wal, starts[k], end)
})
