/**
 * `strata dump` of every file kind, in every format, and its --hex and
 * --layout views, run as a real child process on stores built by the engine.
 */
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {firstFile, sharedStore, storeFiles, strataAsync as strata} from './helpers.js'
import {snapshotTree} from '../helpers/temp.js'
import {CURRENT_TABLE_FORMAT} from '../../src/sstable/format.js'

const KINDS = ['store', 'current', 'manifest', 'wal', 'sst'] as const
const FORMATS = ['text', 'table', 'json', 'ndjson'] as const

interface FileSummary {file: string; name: string; kind: string; size: number; [k: string]: unknown}
interface HexRow {offset: number | null; inflatedOffset?: number; size: number; hex: string; truncated: boolean; field: string; value: string; bad?: boolean}
interface HexFile {file: string; kind: string; size: number; sections: Array<{name: string; offset: number; size: number; rows: HexRow[]}>}
interface Block {type: string; index?: number; offset: number; size: number; end: number; compression?: string; crc: {ok: boolean; stored: number; computed: number} | null; entries?: number | null; firstKey?: string | null; lastKey?: string | null; [k: string]: unknown}

const json = <T>(s: string): T => JSON.parse(s) as T
const lines = (s: string): unknown[] => s.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as unknown)

/** A WAL that holds records (some shard's live WAL has data left in it). */
function walWithRecords(dir: string): string {
  return firstFile(dir, 'wal', (p) => fs.statSync(p).size > 20)
}

function keyBytes(b: Block, field: 'firstKey' | 'lastKey'): Buffer {
  return Buffer.from(b[field] as string, b[`${field}Encoding`] === 'base64' ? 'base64' : 'utf8')
}

for (const compression of ['zlib', 'none'] as const) {
  const label = `(compression ${compression})`

  for (const kind of KINDS) {
    test(`dump of a ${kind} file works in all four formats ${label}`, async (t) => {
      const dir = await sharedStore(compression)
      const file = kind === 'wal' ? walWithRecords(dir) : firstFile(dir, kind)
      for (const format of FORMATS) {
        const r = await strata(['dump', file, '--format', format])
        t.is(r.code, 0, `${format}: ${r.stderr}`)
        t.is(r.stderr, '', format)
        t.true(r.stdout.length > 0, format)
        if (format === 'json') {
          const doc = json<{path: string; files: FileSummary[]}>(r.stdout)
          t.is(doc.path, file)
          t.is(doc.files.length, 1)
          t.is(doc.files[0].kind, kind)
          t.is(doc.files[0].size, fs.statSync(file).size)
          if (kind !== 'current') t.is(doc.files[0].formatVersion, kind === 'sst' ? CURRENT_TABLE_FORMAT : 1)
        } else if (format === 'ndjson') {
          const l = lines(r.stdout) as FileSummary[]
          t.is(l.length, 1)
          t.is(l[0].kind, kind)
        } else if (format === 'table') {
          t.regex(r.stdout, /│/)
        } else {
          t.regex(r.stdout, new RegExp(`^${path.basename(file)}  ${kind}  \\d+ bytes$`, 'm'))
        }
      }
    })
  }

  test(`the summaries decode headers, footers, properties and manifests ${label}`, async (t) => {
    const dir = await sharedStore(compression)
    const doc = json<{files: FileSummary[]}>((await strata(['dump', dir, '--format', 'json'])).stdout)
    const store = doc.files.find((f) => f.kind === 'store')!
    t.like(store, {shardCount: 3, hash: 'fnv1a64_jump', compression, blockSize: 4096, crc: {ok: true}})
    for (const m of doc.files.filter((f) => f.kind === 'manifest')) {
      const tables = m.tables as Array<{file: string; fileSize: number}>
      t.true(tables.length > 0)
      for (const tb of tables) {
        const sst = doc.files.find((f) => f.name === `shard-000${m.shard as number}/${tb.file}`)
        t.truthy(sst, `manifest lists ${tb.file}`)
        t.is(sst?.size, tb.fileSize)
      }
    }
    const ssts = doc.files.filter((f) => f.kind === 'sst')
    t.true(ssts.some((s) => (s.properties as {level: number}).level > 0), 'a compacted table')
    t.true(ssts.some((s) => (s.properties as {level: number}).level === 0), 'a flushed table above it')
    for (const s of ssts) {
      const p = s.properties as {entries: number; puts: number; deletes: number; dataBlocks: number; createdBy: string}
      const b = s.dataBlocks as {count: number; entries: number; zlib: number; none: number}
      t.is(p.entries, p.puts + p.deletes)
      t.is(b.entries, p.entries)
      t.is(b.count, p.dataBlocks)
      t.regex(p.createdBy, /^strata /)
      if (compression === 'none') t.is(b.zlib, 0)
    }
    if (compression === 'zlib') t.true(ssts.some((s) => (s.dataBlocks as {zlib: number}).zlib > 0))
    const wals = doc.files.filter((f) => f.kind === 'wal')
    t.is(wals.length, 3)
    t.true(wals.some((w) => (w.entries as number) > 0), 'data left in a WAL')
    for (const w of wals) t.is(w.tornTail, null)
  })

  test(`a directory dump lists STORE and each shard's CURRENT, manifest, WAL and tables ${label}`, async (t) => {
    const dir = await sharedStore(compression)
    const before = snapshotTree(dir)
    const r = await strata(['dump', dir, '--format', 'ndjson'])
    t.is(r.code, 0, r.stderr)
    const names = (lines(r.stdout) as FileSummary[]).map((f) => f.name)
    t.deepEqual([...names].sort(), storeFiles(dir).map((f) => f.rel).sort())
    t.is(names[0], 'STORE')
    // --dir is the default PATH.
    const viaDir = await strata(['dump', '--dir', dir, '--format', 'ndjson'])
    t.deepEqual((lines(viaDir.stdout) as FileSummary[]).map((f) => f.name), names)
    t.deepEqual(snapshotTree(dir), before, 'dump never changes the directory')
  })

  test(`--hex shows every byte of every file kind beside its field ${label}`, async (t) => {
    const dir = await sharedStore(compression)
    const r = await strata(['dump', dir, '--hex', '--max-bytes', '0', '--format', 'json'])
    t.is(r.code, 0, r.stderr)
    const doc = json<{files: HexFile[]}>(r.stdout)
    t.deepEqual(new Set(doc.files.map((f) => f.kind)), new Set(KINDS))
    for (const f of doc.files) {
      const bytes = fs.readFileSync(f.file)
      let pos = 0
      let crcs = 0
      for (const s of f.sections) {
        t.is(s.offset, pos, `${f.file}: sections are contiguous`)
        for (const row of s.rows) {
          t.false(row.bad === true, `${f.file} ${row.field}`)
          t.not(row.field, '(not decoded)', `${f.file} at ${row.offset}`)
          if (row.field.endsWith('crc')) {
            crcs++
            t.regex(row.value, /verifies/)
          }
          if (row.offset === null) continue
          t.false(row.truncated)
          t.is(row.hex.replace(/ /g, ''), bytes.subarray(row.offset, row.offset + row.size).toString('hex'), `${f.file} ${row.field}`)
        }
        pos = s.offset + s.size
      }
      t.is(pos, bytes.length, `${f.file}: sections cover the file`)
      if (f.kind !== 'current') t.true(crcs > 0, f.file)
    }
    const sst = doc.files.find((f) => f.kind === 'sst')!
    const footer = sst.sections.at(-1)!
    t.is(footer.name, 'footer')
    t.deepEqual(footer.rows.map((x) => x.field), ['footer.filter.offset', 'footer.filter.size', 'footer.properties.offset', 'footer.properties.size',
      'footer.index.offset', 'footer.index.size', 'footer.format_version', 'footer.crc', 'footer.magic'])
    const store = doc.files.find((f) => f.kind === 'store')!
    t.like(store.sections[0].rows[0], {offset: 0, size: 8, field: 'magic', value: '"STRATADS"'})
    const walRows = doc.files.filter((f) => f.kind === 'wal').flatMap((f) => f.sections.flatMap((s) => s.rows))
    t.true(walRows.some((x) => /^records\[\d+\]\.entries\[\d+\]\.flags$/.test(x.field) && /has_expiry/.test(x.value)))
    t.true(walRows.some((x) => /^records\[\d+\]\.entries\[\d+\]\.kind$/.test(x.field) && x.value === '2 (delete)'))
    if (compression === 'zlib') {
      const inflated = doc.files.filter((f) => f.kind === 'sst').flatMap((f) => f.sections.flatMap((s) => s.rows)).filter((x) => x.offset === null)
      t.true(inflated.length > 0, 'fields of zlib blocks are given at inflated offsets')
      t.true(inflated.every((x) => typeof x.inflatedOffset === 'number'))
    }
  })

  test(`--hex in text, table and ndjson, with long fields cut by --max-bytes ${label}`, async (t) => {
    const dir = await sharedStore(compression)
    const sst = firstFile(dir, 'sst')
    const text = await strata(['dump', sst, '--hex', '--max-bytes', '4'])
    t.is(text.code, 0, text.stderr)
    t.regex(text.stdout, /^-- footer \[\d+, \d+\) --$/m)
    t.regex(text.stdout, /^ +\d+ {2}53 54 52 41 …\s+footer\.magic = "STRATATB"$/m)
    const table = await strata(['dump', sst, '--hex', '--format', 'table'])
    t.regex(table.stdout, /│ OFFSET │ SIZE │ BYTES/)
    const nd = lines((await strata(['dump', sst, '--hex', '--max-bytes', '4', '--format', 'ndjson'])).stdout) as Array<HexRow & {section: string; file: string}>
    t.true(nd.length > 10)
    t.true(nd.every((x) => x.file === sst && typeof x.section === 'string'))
    t.like(nd.find((x) => x.field === 'footer.magic'), {size: 8, hex: '53 54 52 41', truncated: true})
  })

  test(`--layout lists each file's blocks end to end with verified checksums ${label}`, async (t) => {
    const dir = await sharedStore(compression)
    const r = await strata(['dump', dir, '--layout', '--format', 'json'])
    t.is(r.code, 0, r.stderr)
    const doc = json<{files: Array<{file: string; kind: string; size: number; blocks: Block[]}>}>(r.stdout)
    let zlibBlocks = 0
    for (const f of doc.files) {
      let pos = 0
      for (const b of f.blocks) {
        t.is(b.offset, pos, `${f.file} ${b.type}`)
        if (b.crc !== null) t.true(b.crc.ok, `${f.file} ${b.type}`)
        pos = b.end
      }
      t.is(pos, f.size, f.file)
      if (f.kind !== 'sst') continue
      const types = f.blocks.map((b) => b.type)
      const n = types.filter((x) => x === 'data').length
      t.deepEqual(types, [...Array<string>(n).fill('data'), 'filter', 'properties', 'index', 'footer'])
      const data = f.blocks.filter((b) => b.type === 'data')
      for (const [i, b] of data.entries()) {
        t.is(b.index, i)
        t.true((b.entries ?? 0) > 0)
        t.is(typeof b.firstKey, 'string')
        if (i > 0) t.true(Buffer.compare(keyBytes(data[i - 1], 'lastKey'), keyBytes(b, 'firstKey')) < 0, 'blocks are in key order')
        if (b.compression === 'zlib') zlibBlocks++
      }
    }
    if (compression === 'zlib') t.true(zlibBlocks > 0)
    else t.is(zlibBlocks, 0)

    const sst = doc.files.find((f) => f.kind === 'sst')!.file
    const text = await strata(['dump', sst, '--layout'])
    t.regex(text.stdout, /^ {2}data 0 +offset=0 size=\d+ end=\d+ compression=(zlib|none) entries=\d+ .*crc=0x[0-9a-f]{8} ok$/m)
    const table = await strata(['dump', sst, '--layout', '--format', 'table'])
    t.regex(table.stdout, /│ BLOCK +│ OFFSET │ SIZE │ COMPRESSION │ CRC/)
    const nd = await strata(['dump', sst, '--layout', '--format', 'ndjson'])
    t.deepEqual((lines(nd.stdout) as Block[]).map((b) => b.type).slice(-4), ['filter', 'properties', 'index', 'footer'])
    const wal = await strata(['dump', walWithRecords(dir), '--layout'])
    t.regex(wal.stdout, /^ {2}header +offset=0 size=20 end=20 /m)
    t.regex(wal.stdout, /^ {2}record 0 +offset=20 size=\d+ end=\d+ entries=\d+ minSeq=\d+ maxSeq=\d+ crc=0x[0-9a-f]{8} ok$/m)
  })
}

test('a file is recognised by its magic when its name does not say', async (t) => {
  const dir = await sharedStore('none')
  const copy = path.join(path.dirname(dir), 'copy-of-a-table')
  fs.copyFileSync(firstFile(dir, 'sst'), copy)
  const doc = json<{files: FileSummary[]}>((await strata(['dump', copy, '--json'])).stdout)
  t.is(doc.files[0].kind, 'sst')
})

test('usage errors: conflicting views, --latest on one file, --records on a manifest, a missing path', async (t) => {
  const dir = await sharedStore('none')
  const cases: Array<[string[], RegExp]> = [
    [['dump', dir, '--hex', '--layout'], /^strata: error USAGE: /],
    [['dump', dir, '--records', '--hex'], /^strata: error USAGE: /],
    [['dump', dir, '--latest', '--layout'], /^strata: error USAGE: --latest cannot be used with --layout/],
    [['dump', dir, '--locations'], /^strata: error USAGE: --locations goes with --records or --latest/],
    [['dump', firstFile(dir, 'wal'), '--latest'], /^strata: error INVALID_ARGUMENT: --latest resolves versions across a whole store/],
    [['dump', firstFile(dir, 'manifest'), '--records'], /^strata: error INVALID_ARGUMENT: --records lists the entries of a WAL or an SSTable/],
    [['dump', path.join(dir, 'no-such-file')], /^strata: error INVALID_ARGUMENT: .*no-such-file: no such file or directory/],
    [['dump', path.dirname(dir)], /^strata: error INVALID_ARGUMENT: .* is neither a strata data directory/],
  ]
  for (const [args, message] of cases) {
    const r = await strata(args)
    t.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`)
    t.is(r.stdout, '')
    t.is(r.stderr.trim().split('\n').length, 1)
    t.regex(r.stderr, message)
  }
})

test('a shard directory is dumped as its CURRENT, manifest, WAL and tables', async (t) => {
  const dir = await sharedStore('zlib')
  const r = await strata(['dump', path.join(dir, 'shard-0001'), '--format', 'ndjson'])
  t.is(r.code, 0, r.stderr)
  const files = lines(r.stdout) as FileSummary[]
  t.deepEqual(files.map((f) => f.kind).slice(0, 3), ['current', 'manifest', 'wal'])
  t.true(files.every((f) => f.shard === 1))
})
