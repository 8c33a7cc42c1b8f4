/**
 * The invariants checksums cannot see. Each test writes files whose
 * checksums all hold but that break one invariant (as a writer bug would),
 * and expects the named check to report it at the right file and offset.
 * Also: orphans, missing and extra shard directories, newer formats,
 * --max-errors, progress, unexpected failures, and that verify never writes.
 */
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {ErrorCode, StrataError, verifyStore, type FileSystem, type VerifyReport} from '../../src/index.js'
import {fieldSpan, parseManifest, parseSstable, parseWal, Parsers, type StrataSstable} from '../../src/kaitai/index.js'
import {crc32} from '../../src/util/crc.js'
import {shardOf} from '../../src/util/hash.js'
import {WalWriter} from '../../src/wal/writer.js'
import {Kind} from '../../src/record/format.js'
import {CURRENT_TABLE_FORMAT} from '../../src/sstable/format.js'
import {nodeFileSystem} from '../../src/vfs/node-fs.js'
import {snapshotTree, tempDir} from '../helpers/temp.js'
import {buildRichStore} from '../helpers/rich-store.js'
import {copyDir, listFiles} from './helpers.js'

let base: string
let pristineNone: string
let pristineZlib: string

test.before(async () => {
  base = tempDir('strata-verify-inv-')
  pristineNone = path.join(base, 'none')
  await buildRichStore(pristineNone, {compression: 'none', shards: 2})
  pristineZlib = path.join(base, 'zlib')
  await buildRichStore(pristineZlib, {compression: 'zlib', shards: 3})
})

/** A fresh copy of a pristine store. */
function copy(from = pristineNone): string {
  const dir = path.join(fs.mkdtempSync(path.join(base, 'copy-')), 'db')
  copyDir(from, dir)
  return dir
}

const read = (dir: string, rel: string): Buffer => fs.readFileSync(path.join(dir, rel))
const write = (dir: string, rel: string, buf: Buffer): void => fs.writeFileSync(path.join(dir, rel), buf)
const files = (dir: string, re: RegExp): string[] => listFiles(dir).filter((f) => re.test(f))
const errorsOf = (r: VerifyReport): Array<[string, string, number]> => r.findings.filter((f) => f.severity === 'error').map((f) => [f.check, f.file, f.offset])

/** The largest table of shard 0. */
function bigTable(dir: string): string {
  return files(dir, /^shard-0000\/.*\.sst$/).sort((a, b) => read(dir, b).length - read(dir, a).length)[0]
}

/** Recomputes the crc of the block `h` names, after its contents were edited in `buf`. */
function reseal(buf: Buffer, h: {offset: number; size: number}): void {
  buf.writeUInt32LE(crc32(buf.subarray(h.offset, h.offset + h.size + 1)), h.offset + h.size + 1)
}

test('clean stores verify with no findings, and the summary counts their files', (t) => {
  for (const dir of [pristineNone, pristineZlib]) {
    const r = verifyStore(dir)
    t.deepEqual(r.findings, [], dir)
    t.true(r.ok)
    const all = listFiles(dir)
    t.is(r.summary.tables, all.filter((f) => f.endsWith('.sst')).length)
    t.is(r.summary.wals, all.filter((f) => f.endsWith('.wal')).length)
    t.is(r.summary.manifests, all.filter((f) => /MANIFEST-/.test(f)).length)
    t.is(r.summary.files, all.filter((f) => f !== 'LOCK').length)
    t.true(r.summary.entries > 300)
    t.deepEqual(r.checks.map((c) => c.id), ['store.descriptor', 'manifest.replay', 'wal.crc', 'wal.torn-tail', 'wal.seq-order', 'sst.footer',
      'sst.block-crc', 'sst.key-order', 'sst.index', 'sst.bloom', 'sst.properties', 'shard.placement', 'schema.registry', 'schema.records'])
    t.true(r.checks.every((c) => c.errors === 0 && c.warnings === 0 && !c.skipped))
  }
})

test('verify never writes: the directory is byte-identical after a full and a quick run', (t) => {
  const before = snapshotTree(pristineZlib)
  verifyStore(pristineZlib)
  verifyStore(pristineZlib, {quick: true})
  t.deepEqual(snapshotTree(pristineZlib), before)
})

test('a WAL entry at or below the manifest\'s last_seq is a wal.seq-order error', (t) => {
  const dir = copy()
  const walRel = files(dir, /^shard-0000\/.*\.wal$/)[0]
  const lastSeq = parseManifest(read(dir, files(dir, /^shard-0000\/MANIFEST/)[0])).lastSeq
  fs.rmSync(path.join(dir, walRel))
  const w = WalWriter.create(nodeFileSystem, path.join(dir, walRel), 0)
  w.appendBatch([{kind: Kind.PUT, key: Buffer.from('user:0000'), value: Buffer.from('old'), seq: lastSeq}])
  w.close()
  const r = verifyStore(dir)
  const seqAt = 20 + 9 + 4 + 2 // header, record header, batch count, kind and flags
  t.deepEqual(errorsOf(r).filter(([c]) => c === 'wal.seq-order'), [['wal.seq-order', walRel, seqAt]])
  t.regex(r.findings.find((f) => f.check === 'wal.seq-order')!.message, /not above the manifest's last_seq/)
})

test('sequence numbers that go backwards inside a WAL are a wal.seq-order error in the record that does it', (t) => {
  const dir = copy()
  const walRel = files(dir, /^shard-0000\/.*\.wal$/)[0]
  const lastSeq = parseManifest(read(dir, files(dir, /^shard-0000\/MANIFEST/)[0])).lastSeq
  fs.rmSync(path.join(dir, walRel))
  const w = WalWriter.create(nodeFileSystem, path.join(dir, walRel), 0)
  const key = (i: number): Buffer => Buffer.from(`user:000${i}`)
  w.appendBatch([{kind: Kind.PUT, key: key(0), value: Buffer.from('a'), seq: lastSeq + 5}])
  w.appendBatch([{kind: Kind.PUT, key: key(0), value: Buffer.from('b'), seq: lastSeq + 6}, {kind: Kind.DELETE, key: key(0), value: Buffer.alloc(0), seq: lastSeq + 6}])
  w.close()
  const r = verifyStore(dir)
  const second = parseWal(read(dir, walRel)).records[1]
  const f = r.findings.filter((x) => x.check === 'wal.seq-order')
  t.is(f.length, 1)
  t.true(f[0].offset > second.ofs && f[0].offset < second.endOfs, `offset ${f[0].offset} in record [${second.ofs}, ${second.endOfs})`)
})

test('a key in the wrong shard\'s WAL is a shard.placement error naming the key', (t) => {
  const dir = copy()
  const walRel = files(dir, /^shard-0000\/.*\.wal$/)[0]
  const lastSeq = parseManifest(read(dir, files(dir, /^shard-0000\/MANIFEST/)[0])).lastSeq
  let i = 0
  while (shardOf(Buffer.from(`stray${i}`), 2) !== 1) i++
  const stray = Buffer.from(`stray${i}`)
  fs.rmSync(path.join(dir, walRel))
  const w = WalWriter.create(nodeFileSystem, path.join(dir, walRel), 0)
  w.appendBatch([{kind: Kind.PUT, key: stray, value: Buffer.from('x'), seq: lastSeq + 1}])
  w.close()
  const r = verifyStore(dir)
  const f = r.findings.filter((x) => x.check === 'shard.placement')
  t.is(f.length, 1)
  t.is(f[0].file, walRel)
  t.deepEqual(f[0].keyRange, {first: stray.toString(), last: stray.toString(), encoding: 'utf8'})
  const wal = parseWal(read(dir, walRel))
  const entry = (wal.records[0].payload as InstanceType<typeof Parsers.StrataWal.Batch>).entries[0]
  t.is(f[0].offset, fieldSpan(wal, entry, 'key')!.offset)
})

test('a WAL header naming another shard is a shard.placement error', (t) => {
  const dir = copy()
  const walRel = files(dir, /^shard-0001\/.*\.wal$/)[0]
  const buf = read(dir, walRel)
  buf.writeUInt32LE(0, 12)
  buf.writeUInt32LE(crc32(buf.subarray(0, 16)), 16)
  write(dir, walRel, buf)
  t.deepEqual(errorsOf(verifyStore(dir)), [['shard.placement', walRel, 12]])
})

test('a table whose bloom filter misses its keys is an sst.bloom error at the filter block', (t) => {
  const dir = copy()
  const rel = bigTable(dir)
  const buf = read(dir, rel)
  const f = parseSstable(buf, rel, {dataBlocks: 'skip'}).footer.filter
  buf.fill(0, f.offset, f.offset + f.size - 1) // every bit clear, probe count kept
  reseal(buf, f)
  write(dir, rel, buf)
  const r = verifyStore(dir)
  t.deepEqual(errorsOf(r), [['sst.bloom', rel, f.offset]])
  t.regex(r.findings[0].message, /do not pass its bloom filter/)
  t.truthy(r.findings[0].keyRange)
})

test('properties that disagree with the data are sst.properties errors at the field and at the manifest', (t) => {
  const dir = copy()
  const rel = bigTable(dir)
  const buf = read(dir, rel)
  const table = parseSstable(buf, rel, {dataBlocks: 'skip'})
  const p = table.properties
  const at = (field: string): number => fieldSpan(table, p, field)!.offset
  buf.writeUInt32LE(p.entries + 1, at('entries')) // entries and puts together, so puts + deletes = entries still holds
  buf.writeUInt32LE(p.puts + 1, at('puts'))
  reseal(buf, table.footer.properties)
  write(dir, rel, buf)
  const manifestRel = files(dir, /^shard-0000\/MANIFEST/)[0]
  const m = parseManifest(read(dir, manifestRel))
  const listed = m.tables.findIndex((x) => rel.endsWith(`${String(x.fileNumber).padStart(6, '0')}.sst`))
  t.deepEqual(errorsOf(verifyStore(dir)).sort(), [
    ['sst.properties', manifestRel, fieldSpan(m, m, 'tables', listed)!.offset],
    ['sst.properties', rel, at('entries')],
    ['sst.properties', rel, at('puts')],
  ].sort())
})

test('keys out of order in a data block are sst.key-order and sst.index errors in that block', (t) => {
  const dir = copy()
  const rel = bigTable(dir)
  const buf = read(dir, rel)
  const table = parseSstable(buf, rel)
  const e = table.index.entries[0]
  const list = (e.block as StrataSstable.DataBlock).entryArea
  // Swap entries 0 and 1: their total length is unchanged, so the restart points still hold.
  const a = fieldSpan(table, list, 'entries', 0)!
  const b = fieldSpan(table, list, 'entries', 1)!
  const swapped = Buffer.concat([buf.subarray(b.offset, b.end), buf.subarray(a.offset, a.end)])
  swapped.copy(buf, a.offset)
  reseal(buf, e.handle)
  write(dir, rel, buf)
  const r = verifyStore(dir)
  const order = r.findings.filter((f) => f.check === 'sst.key-order')
  t.is(order.length, 1)
  t.is(order[0].file, rel)
  t.true(order[0].offset >= e.handle.offset && order[0].offset < e.handle.endOfs)
  t.true(errorsOf(r).every(([, file]) => file === rel))
})

test('a restart array that does not point at every 16th entry is an sst.index error', (t) => {
  const dir = copy()
  const rel = bigTable(dir)
  const buf = read(dir, rel)
  const table = parseSstable(buf, rel)
  const e = table.index.entries.find((x) => (x.block as StrataSstable.DataBlock).numRestarts >= 2)!
  const block = e.block as StrataSstable.DataBlock
  const restart1 = e.handle.offset + block.entriesSize + 4
  buf.writeUInt32LE(block.restarts[1] + 1, restart1)
  reseal(buf, e.handle)
  write(dir, rel, buf)
  t.deepEqual(errorsOf(verifyStore(dir)), [['sst.index', rel, restart1]])
})

test('a v2 index whose offset array misplaces an entry is an sst.index error at that offset', (t) => {
  const dir = copy()
  const rel = bigTable(dir)
  const buf = read(dir, rel)
  const table = parseSstable(buf)
  const ix = table.footer.index
  t.is(table.footer.formatVersion, Parsers.StrataSstable.TableFormat.V2)
  const n = table.indexCount!
  t.true(n > 3)
  const at = ix.offset + ix.size - 4 - 4 * n + 4 * 2 // entry_offset[2]
  buf.writeUInt32LE(buf.readUInt32LE(at) + 1, at)
  reseal(buf, ix)
  write(dir, rel, buf)
  t.deepEqual(errorsOf(verifyStore(dir)), [['sst.index', rel, at]])
})

test('manifest metadata that disagrees with its table is an sst.properties error at the manifest\'s table record', (t) => {
  const dir = copy()
  const manifestRel = files(dir, /^shard-0001\/MANIFEST/)[0]
  const buf = read(dir, manifestRel)
  const m = parseManifest(buf)
  const levelAt = fieldSpan(m, m.tables[0], 'level')!.offset
  buf[levelAt] = 7
  buf.writeUInt32LE(crc32(buf.subarray(0, buf.length - 4)), buf.length - 4)
  write(dir, manifestRel, buf)
  const r = verifyStore(dir)
  t.deepEqual(errorsOf(r), [['sst.properties', manifestRel, fieldSpan(m, m, 'tables', 0)!.offset]])
  t.regex(r.findings[0].message, /manifest says level 7/)
})

test('a manifest that belongs to another shard is a manifest.replay error, and the shard\'s files are still checked', (t) => {
  const dir = copy()
  const manifestRel = files(dir, /^shard-0001\/MANIFEST/)[0]
  const buf = read(dir, manifestRel)
  buf.writeUInt32LE(0, 12)
  buf.writeUInt32LE(crc32(buf.subarray(0, buf.length - 4)), buf.length - 4)
  write(dir, manifestRel, buf)
  const r = verifyStore(dir)
  t.deepEqual(errorsOf(r), [['manifest.replay', manifestRel, 12]])
  t.is(r.summary.tables, files(dir, /\.sst$/).length)
})

test('a table of a newer format inside a v1 store is an sst.footer error', (t) => {
  const dir = copy()
  const rel = bigTable(dir)
  const buf = read(dir, rel)
  const at = buf.length - 52
  buf.writeUInt32LE(CURRENT_TABLE_FORMAT + 1, at + 36)
  buf.writeUInt32LE(crc32(buf.subarray(at, at + 40)), at + 40)
  write(dir, rel, buf)
  const r = verifyStore(dir)
  t.deepEqual(errorsOf(r), [['sst.footer', rel, at + 36]])
  t.regex(r.findings[0].message, new RegExp(`formats v1 to v${CURRENT_TABLE_FORMAT} only`))
})

test('a STORE of a newer format whose checksum holds is UNSUPPORTED; with a bad checksum it is damage', (t) => {
  const dir = copy()
  const buf = read(dir, 'STORE')
  buf.writeUInt32LE(2, 8)
  write(dir, 'STORE', buf)
  t.deepEqual(errorsOf(verifyStore(dir)), [['store.descriptor', 'STORE', 8]])
  buf.writeUInt32LE(crc32(buf.subarray(0, buf.length - 4)), buf.length - 4)
  write(dir, 'STORE', buf)
  const err = t.throws(() => verifyStore(dir), {instanceOf: StrataError})!
  t.is(err.code, ErrorCode.UNSUPPORTED)
})

test('orphan files and a leftover CURRENT.tmp are warnings, failures only with strict', (t) => {
  const dir = copy()
  write(dir, 'shard-0000/000999.sst', Buffer.from('left by a crash'))
  write(dir, 'shard-0001/CURRENT.tmp', Buffer.from('MANIFEST-000001\n'))
  const r = verifyStore(dir)
  t.true(r.ok)
  t.deepEqual(r.findings.map((f) => [f.check, f.severity, f.file]), [
    ['manifest.replay', 'warning', 'shard-0000/000999.sst'],
    ['manifest.replay', 'warning', 'shard-0001/CURRENT.tmp'],
  ])
  const strict = verifyStore(dir, {strict: true})
  t.false(strict.ok)
  t.true(strict.strict)
})

test('a missing shard directory is an error, an extra one a warning', (t) => {
  const dir = copy()
  fs.rmSync(path.join(dir, 'shard-0001'), {recursive: true})
  fs.mkdirSync(path.join(dir, 'shard-0007'))
  const r = verifyStore(dir)
  t.deepEqual(r.findings.map((f) => [f.check, f.severity, f.file]), [
    ['store.descriptor', 'warning', 'shard-0007'],
    ['manifest.replay', 'error', 'shard-0001/CURRENT'],
  ])
})

test('a directory without STORE is NOT_A_STORE, unless it holds shard directories: then STORE is reported missing', (t) => {
  const empty = fs.mkdtempSync(path.join(base, 'empty-'))
  t.is(t.throws(() => verifyStore(empty), {instanceOf: StrataError})!.code, ErrorCode.NOT_A_STORE)
  t.is(t.throws(() => verifyStore(path.join(empty, 'nope')), {instanceOf: StrataError})!.code, ErrorCode.NOT_A_STORE)
  const dir = copy()
  fs.rmSync(path.join(dir, 'STORE'))
  const r = verifyStore(dir)
  t.deepEqual(errorsOf(r), [['store.descriptor', 'STORE', 0]])
  t.is(r.summary.shards, 2)
  t.true(r.checks.find((c) => c.id === 'shard.placement')!.skipped)
})

test('--max-errors stops after that many errors and says so', (t) => {
  const dir = copy(pristineZlib)
  for (const rel of files(dir, /\.sst$/)) {
    const buf = read(dir, rel)
    buf[3] ^= 0x10
    write(dir, rel, buf)
  }
  const all = verifyStore(dir)
  t.true(all.summary.errors >= 4)
  t.false(all.stopped)
  const two = verifyStore(dir, {maxErrors: 2})
  t.is(two.summary.errors, 2)
  t.true(two.stopped)
  t.is(two.maxErrors, 2)
  t.true(two.checks.every((c) => c.skipped))
  t.deepEqual(two.findings, all.findings.slice(0, 2))
  t.is(t.throws(() => verifyStore(dir, {maxErrors: 0}), {instanceOf: StrataError})!.code, ErrorCode.INVALID_ARGUMENT)
})

test('progress is reported for every file, done counting up to the total', (t) => {
  const calls: Array<[number, number, string]> = []
  verifyStore(pristineZlib, {onProgress: (done, total, file) => calls.push([done, total, file])})
  const checked = listFiles(pristineZlib).filter((f) => f !== 'LOCK')
  t.deepEqual(calls.map((c) => c[2]).sort(), checked.sort())
  calls.forEach(([done, total], i) => {
    t.is(done, i + 1)
    t.true(total >= done)
  })
  t.is(calls.at(-1)![0], calls.at(-1)![1])
})

test('an unexpected failure while checking one file becomes a finding, and the other files are still checked', (t) => {
  const victim = bigTable(pristineZlib)
  // A filesystem that hands back something that is not a Buffer for one table.
  const odd: FileSystem = Object.create(nodeFileSystem, {
    readFile: {value: (p: string) => (p.endsWith(victim.replace('/', path.sep)) ? ('not bytes' as unknown as Buffer) : nodeFileSystem.readFile(p))},
  })
  const r = verifyStore(pristineZlib, {fs: odd})
  t.true(r.findings.every((f) => f.file === victim && f.severity === 'error'))
  t.true(r.findings.some((f) => f.check === 'sst.footer' && /unexpected failure .*bug in strata verify/.test(f.message)))
  t.is(r.summary.tables, files(pristineZlib, /\.sst$/).length)
})

test('--quick skips the data blocks but still checks every file\'s structure and metadata', (t) => {
  const r = verifyStore(pristineZlib, {quick: true})
  t.true(r.ok)
  t.true(r.quick)
  t.is(r.summary.entries, parseWalEntries(pristineZlib))
  t.deepEqual(r.checks.filter((c) => c.skipped).map((c) => c.id), ['sst.block-crc', 'sst.key-order', 'sst.index', 'sst.bloom', 'sst.properties', 'shard.placement', 'schema.records'])
  // Damage to a meta block is still found.
  const dir = copy(pristineZlib)
  const rel = bigTable(dir)
  const buf = read(dir, rel)
  const ix = parseSstable(buf, rel, {dataBlocks: 'skip'}).footer.index
  buf[ix.offset + 1] ^= 1
  write(dir, rel, buf)
  t.deepEqual(errorsOf(verifyStore(dir, {quick: true})), [['sst.block-crc', rel, ix.offset]])
})

/** Entries in every WAL of `dir` (what a quick run decodes). */
function parseWalEntries(dir: string): number {
  let n = 0
  for (const rel of files(dir, /\.wal$/)) {
    for (const rec of parseWal(read(dir, rel)).records) n += (rec.payload as InstanceType<typeof Parsers.StrataWal.Batch>).entries.length
  }
  return n
}

/** A filesystem over the real one whose readFile `hook` may intercept (return undefined to read normally). */
function hooked(hook: (rel: string) => Buffer | undefined | 'ENOENT', dir: string): FileSystem {
  return Object.create(nodeFileSystem, {
    readFile: {
      value: (p: string): Buffer => {
        const rel = path.relative(dir, p).split(path.sep).join('/')
        const got = hook(rel)
        if (got === 'ENOENT') throw Object.assign(new Error(`ENOENT: no such file, open '${p}'`), {code: 'ENOENT'})
        return got ?? nodeFileSystem.readFile(p)
      },
    },
  }) as FileSystem
}

test('a table that vanishes because a writer switched manifests is re-checked from the new manifest, not reported', (t) => {
  const dir = copy()
  const manifestRel = files(dir, /^shard-0000\/MANIFEST/)[0]
  // The "new" manifest a writer installed: same contents, new number.
  write(dir, 'shard-0000/MANIFEST-000001', read(dir, manifestRel))
  const table = files(dir, /^shard-0000\/.*\.sst$/)[0]
  let switched = false
  const fsys = hooked((rel) => {
    if (rel === table && !switched) {
      switched = true
      return 'ENOENT'
    }
    if (rel === 'shard-0000/CURRENT' && switched) return Buffer.from('MANIFEST-000001\n')
    return undefined
  }, dir)
  const r = verifyStore(dir, {fs: fsys})
  t.true(switched)
  t.deepEqual(r.findings.map((f) => [f.check, f.severity, f.file]), [['manifest.replay', 'warning', manifestRel]])
  t.is(r.summary.tables, files(dir, /\.sst$/).length)
  t.is(r.summary.manifests, 2)
})

test('a listed table that is missing while CURRENT stays the same is a manifest.replay error at its manifest record', (t) => {
  const dir = copy()
  const manifestRel = files(dir, /^shard-0000\/MANIFEST/)[0]
  const table = files(dir, /^shard-0000\/.*\.sst$/)[0]
  const r = verifyStore(dir, {fs: hooked((rel) => (rel === table ? 'ENOENT' : undefined), dir)})
  const m = parseManifest(read(dir, manifestRel))
  const i = m.tables.findIndex((x) => table.endsWith(`${String(x.fileNumber).padStart(6, '0')}.sst`))
  t.deepEqual(errorsOf(r), [['manifest.replay', manifestRel, fieldSpan(m, m, 'tables', i)!.offset]])
})

test('a shard whose manifest keeps changing under verify is given up with a warning, not an error', (t) => {
  const dir = copy()
  const manifestRel = files(dir, /^shard-0000\/MANIFEST/)[0]
  write(dir, 'shard-0000/MANIFEST-000001', read(dir, manifestRel))
  const table = files(dir, /^shard-0000\/.*\.sst$/)[0]
  let reads = 0
  const r = verifyStore(dir, {
    fs: hooked((rel) => {
      if (rel === table) return 'ENOENT'
      if (rel === 'shard-0000/CURRENT') return Buffer.from(reads++ % 2 === 0 ? `${manifestRel.slice(11)}\n` : 'MANIFEST-000001\n')
      return undefined
    }, dir),
  })
  t.is(r.summary.errors, 0)
  t.deepEqual(r.findings.map((f) => [f.check, f.severity, f.file]), [['manifest.replay', 'warning', 'shard-0000/CURRENT']])
  t.regex(r.findings[0].message, /changed 10 times/)
})
