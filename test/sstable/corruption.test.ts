import * as fs from 'node:fs'
import * as path from 'node:path'
import {isDeepStrictEqual} from 'node:util'
import test, {type ExecutionContext} from 'ava'
import type {Entry} from '../../src/record/format.js'
import {nodeFileSystem} from '../../src/vfs/node-fs.js'
import {StrataError} from '../../src/errors.js'
import {crc32} from '../../src/util/crc.js'
import {TableReader} from '../../src/sstable/reader.js'
import {decodeFooter, type Footer} from '../../src/sstable/footer.js'
import {BlockCompression, COMPRESSION_NAMES, CURRENT_TABLE_FORMAT, FOOTER_SIZE, TableFormat, type BlockHandle} from '../../src/sstable/format.js'
import {bufferFileSystem, fixCrc, key, mixedEntries, plain, putEntries, tempDir, writeTable} from './helpers.js'

interface Fixture {
  file: string
  bytes: Buffer
  footer: Footer
  entries: Entry[]
  /** Handles of the data blocks, from the intact table's index. */
  blocks: BlockHandle[]
}

function fixture(t: ExecutionContext, entries = mixedEntries(200), compression: BlockCompression = BlockCompression.NONE, format: TableFormat = CURRENT_TABLE_FORMAT): Fixture {
  const file = path.join(tempDir(t), '000001.sst')
  writeTable(file, entries, {blockSize: 512, compression, format})
  const bytes = fs.readFileSync(file)
  const footer = decodeFooter(bytes.subarray(-FOOTER_SIZE), file, bytes.length - FOOTER_SIZE)
  const reader = TableReader.open(nodeFileSystem, file)
  const blocks = reader.index.map((e) => e.handle)
  reader.close()
  return {file, bytes, footer, entries, blocks}
}

/** Opens `bytes` as the table and reads everything: full iteration both ways and a get of every key. */
function readAll(f: Fixture, bytes: Buffer): void {
  const reader = TableReader.open(bufferFileSystem(f.file, bytes), f.file)
  const forward = [...reader.entries()].map(plain)
  const backward = [...reader.entries({reverse: true})].map(plain).reverse()
  const want = f.entries.map(plain)
  for (const got of [forward, backward]) {
    if (!isDeepStrictEqual(got, want)) throw new Error('iteration returned wrong entries')
  }
  for (const e of f.entries) {
    const got = reader.get(e.key)
    if (got === undefined || !got.value.equals(e.value)) throw new Error(`wrong value for ${e.key}`)
  }
  reader.close()
}

function assertCorruption(t: ExecutionContext, f: Fixture, bytes: Buffer, label = ''): StrataError | undefined {
  const err = t.throws(() => readAll(f, bytes), {instanceOf: StrataError}, label)
  t.is(err?.code, 'CORRUPTION', label)
  t.is(err?.file, f.file, label)
  t.true(typeof err?.offset === 'number' && err.offset >= 0 && err.offset < f.bytes.length, `${label}: offset ${err?.offset}`)
  return err
}

function flipped(bytes: Buffer, at: number, mask = 0xff): Buffer {
  const copy = Buffer.from(bytes)
  copy[at] ^= mask
  return copy
}

test('the intact fixture reads back completely', (t) => {
  const f = fixture(t)
  t.notThrows(() => readAll(f, f.bytes))
  t.true(f.blocks.length > 5)
})

test('a flipped byte anywhere in the footer is corruption', (t) => {
  const f = fixture(t)
  for (let at = f.bytes.length - FOOTER_SIZE; at < f.bytes.length; at++) assertCorruption(t, f, flipped(f.bytes, at), `footer byte ${at}`)
})

for (const format of [TableFormat.V1, TableFormat.V2]) {
  test(`a flipped byte in the index, properties or filter block of a v${format} table is corruption at open`, (t) => {
    const f = fixture(t, undefined, undefined, format)
    const {filter, properties, index} = f.footer
    for (const [what, h] of Object.entries({filter, properties, index})) {
      for (const at of [h.offset, h.offset + (h.size >> 1), h.offset + h.size - 1, h.offset + h.size, h.offset + h.size + 4]) {
        const bytes = flipped(f.bytes, at)
        const err = t.throws(() => TableReader.open(bufferFileSystem(f.file, bytes), f.file), {instanceOf: StrataError})
        t.is(err?.code, 'CORRUPTION', `${what} byte ${at}`)
        t.is(err?.offset, h.offset, `${what} byte ${at}`)
      }
    }
  })
}

test('a flipped byte in a data block is corruption when the block is read, naming the block', (t) => {
  const f = fixture(t)
  const h = f.blocks[2]
  const bytes = flipped(f.bytes, h.offset + 10, 0x01)
  const reader = TableReader.open(bufferFileSystem(f.file, bytes), f.file)
  const err = t.throws(() => [...reader.entries()], {instanceOf: StrataError})
  t.is(err?.code, 'CORRUPTION')
  t.is(err?.offset, h.offset)
  t.regex(err!.message, /crc/)
  t.is(reader.get(f.entries[0].key)?.kind, f.entries[0].kind, 'other blocks stay readable')
})

test('a truncated table is corruption', (t) => {
  const f = fixture(t)
  for (const size of [1, 8, FOOTER_SIZE - 1, FOOTER_SIZE, f.bytes.length >> 1, f.bytes.length - FOOTER_SIZE, f.bytes.length - 1]) {
    assertCorruption(t, f, f.bytes.subarray(0, size), `truncated to ${size}`)
  }
  fs.truncateSync(f.file, f.bytes.length - 3)
  const err = t.throws(() => TableReader.open(nodeFileSystem, f.file), {instanceOf: StrataError})
  t.is(err?.code, 'CORRUPTION')
  t.is(err?.file, f.file)
})

test('an empty file and a file that is not a table are corruption', (t) => {
  const dir = tempDir(t)
  for (const [name, data] of [['empty.sst', Buffer.alloc(0)], ['text.sst', Buffer.from('hello world\n'.repeat(100))]] as const) {
    const file = path.join(dir, name)
    fs.writeFileSync(file, data)
    const err = t.throws(() => TableReader.open(nodeFileSystem, file), {instanceOf: StrataError})
    t.is(err?.code, 'CORRUPTION')
    t.is(err?.file, file)
    t.true(err!.offset! <= Math.max(0, data.length - 1))
  }
})

test('a table from a future format version is UNSUPPORTED', (t) => {
  const f = fixture(t)
  const bytes = Buffer.from(f.bytes)
  const footerAt = bytes.length - FOOTER_SIZE
  bytes.writeUInt32LE(CURRENT_TABLE_FORMAT + 1, footerAt + 36)
  bytes.writeUInt32LE(crc32(bytes.subarray(footerAt, footerAt + 40)), footerAt + 40)
  fs.writeFileSync(f.file, bytes)
  const err = t.throws(() => TableReader.open(nodeFileSystem, f.file), {instanceOf: StrataError})
  t.is(err?.code, 'UNSUPPORTED')
  t.is(err?.file, f.file)
})

test('a checksummed footer whose handles leave the file is corruption', (t) => {
  const f = fixture(t)
  const footerAt = f.bytes.length - FOOTER_SIZE
  const edits: Array<[number, (b: Buffer) => void]> = [
    [0, (b) => b.writeUInt32LE(0x100, footerAt + 4)], // filter offset + 2^40
    [8, (b) => b.writeUInt32LE(1, footerAt + 8)], // filter size
    [24, (b) => b.writeUInt32LE(f.footer.index.offset - 1, footerAt + 24)], // index offset
    [32, (b) => b.writeUInt32LE(0xffff_ffff, footerAt + 32)], // index size
  ]
  for (const [field, edit] of edits) {
    const bytes = Buffer.from(f.bytes)
    edit(bytes)
    bytes.writeUInt32LE(crc32(bytes.subarray(footerAt, footerAt + 40)), footerAt + 40)
    assertCorruption(t, f, bytes, `footer field ${field}`)
  }
})

for (const format of [TableFormat.V1, TableFormat.V2]) {
  test(`a checksummed v${format} index naming a misplaced block is corruption in the index`, (t) => {
    const f = fixture(t, undefined, undefined, format)
    const bytes = Buffer.from(f.bytes)
    const ix = f.footer.index
    const keyLen = bytes[ix.offset]
    const secondOffsetAt = ix.offset + 1 + keyLen + 12 + 1 + keyLen // entry 1's u64 offset (keys are equal length)
    t.is(bytes.readUInt32LE(secondOffsetAt), f.blocks[1].offset)
    bytes.writeUInt32LE(f.blocks[1].offset + 1, secondOffsetAt)
    fixCrc(bytes, ix)
    const err = assertCorruption(t, f, bytes)
    t.is(err?.offset, secondOffsetAt)
  })
}

test('checksummed properties that disagree with the index are corruption', (t) => {
  const f = fixture(t)
  const bytes = Buffer.from(f.bytes)
  const p = f.footer.properties
  bytes.writeUInt32LE(f.blocks.length + 1, p.offset + 64)
  fixCrc(bytes, p)
  assertCorruption(t, f, bytes)
})

test('a checksummed data block with keys out of order is corruption at the entry', (t) => {
  const entries = putEntries(100, () => Buffer.from('v'))
  const f = fixture(t, entries)
  const bytes = Buffer.from(f.bytes)
  const at = bytes.indexOf(key(5))
  bytes[at + key(5).length - 1] = '3'.charCodeAt(0) // key-000005 -> key-000003, after key-000004
  fixCrc(bytes, f.blocks[0])
  const err = assertCorruption(t, f, bytes)
  t.is(err?.offset, at - 4) // kind, flags, seq, key_len precede the key
})

const flipCases: Array<[BlockCompression, TableFormat]> = [[BlockCompression.NONE, TableFormat.V1], [BlockCompression.NONE, TableFormat.V2], [BlockCompression.ZLIB, TableFormat.V2], [BlockCompression.LZ, TableFormat.V2]]
for (const [compression, format] of flipCases) {
  const kind = COMPRESSION_NAMES[compression]
  test(`every single-byte flip of a small ${kind} v${format} table is corruption or harmless`, (t) => {
    const entries = mixedEntries(40).map((e) => (e.value.length > 0 ? {...e, value: Buffer.from(`value ${e.seq} `.repeat(4))} : e))
    const f = fixture(t, entries, compression, format)
    const bits = f.footer.filter // the bloom bit array: the only place a flip might go unnoticed
    const wrong: string[] = []
    let harmless = 0
    let caught = 0
    for (let at = 0; at < f.bytes.length; at++) {
      for (const mask of [0x01, 0xff]) {
        try {
          readAll(f, flipped(f.bytes, at, mask))
        } catch (err) {
          const ok = err instanceof StrataError && err.code === 'CORRUPTION' && err.file === f.file &&
            err.offset! >= 0 && err.offset! < f.bytes.length
          if (ok) caught++
          else wrong.push(`flip 0x${mask.toString(16)} at ${at}: ${String(err)}`)
          continue
        }
        const inBloomBits = at >= bits.offset && at < bits.offset + bits.size - 1
        if (!inBloomBits) wrong.push(`flip 0x${mask.toString(16)} at ${at} went unnoticed outside the bloom bits`)
        harmless++
      }
    }
    t.log(`${f.bytes.length} bytes, ${harmless} harmless flips`)
    t.deepEqual(wrong, [])
    // Two flips of every byte were read; all but those in the bloom bits were caught.
    t.is(caught + harmless, 2 * f.bytes.length)
    t.true(caught > f.bytes.length, `${caught} flips caught`)
  })
}
