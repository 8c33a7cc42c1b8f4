/**
 * Table format v2's index (entry offsets after the entries, searched in
 * place) against v1's (decoded whole at open): the same answers, the same
 * corruption caught, a v1 table still readable, and what a lazily opened v2
 * table checks before a lookup and before an iteration.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import test from 'ava'
import {nodeFileSystem} from '../../src/vfs/node-fs.js'
import {StrataError} from '../../src/errors.js'
import {TableReader} from '../../src/sstable/reader.js'
import {decodeFooter} from '../../src/sstable/footer.js'
import {FOOTER_SIZE, TableFormat} from '../../src/sstable/format.js'
import {bufferFileSystem, fixCrc, key, mixedEntries, plain, putEntries, tempDir, writeTable} from './helpers.js'

function writeBoth(dir: string, entries = mixedEntries(300)): {v1: string; v2: string} {
  const v1 = path.join(dir, '000001.sst')
  const v2 = path.join(dir, '000002.sst')
  writeTable(v1, entries, {blockSize: 256, format: TableFormat.V1})
  writeTable(v2, entries, {blockSize: 256})
  return {v1, v2}
}

test('new tables are v2, and v1 and v2 tables of the same entries answer alike', (t) => {
  const dir = tempDir(t)
  const entries = mixedEntries(300)
  const {v1, v2} = writeBoth(dir, entries)
  const version = (file: string): number => {
    const b = fs.readFileSync(file)
    return decodeFooter(b.subarray(-FOOTER_SIZE), file, b.length - FOOTER_SIZE).version
  }
  t.is(version(v1), TableFormat.V1)
  t.is(version(v2), TableFormat.V2)
  const a = TableReader.open(nodeFileSystem, v1)
  const b = TableReader.open(nodeFileSystem, v2)
  t.true(a.blocks.length > 20)
  t.is(b.blocks.length, a.blocks.length)
  for (let i = 0; i < a.blocks.length; i++) {
    t.deepEqual(b.blocks.handle(i), a.blocks.handle(i))
    t.true(b.blocks.lastKey(i).equals(a.blocks.lastKey(i)))
  }
  // Probes: every key, and keys just before and after each (absent ones included).
  const probes = entries.flatMap((e) => [e.key, Buffer.concat([e.key, Buffer.from([0])]), e.key.subarray(0, e.key.length - 1)])
  for (const p of probes) {
    t.is(b.blocks.search(p), a.blocks.search(p))
    t.deepEqual(plainOrNone(b.get(p)), plainOrNone(a.get(p)))
  }
  t.deepEqual([...b.entries()].map(plain), entries.map(plain))
  t.deepEqual([...b.entries({reverse: true})].map(plain), [...a.entries({reverse: true})].map(plain))
  a.close()
  b.close()
})

function plainOrNone(e: Parameters<typeof plain>[0] | undefined): unknown {
  return e === undefined ? undefined : plain(e)
}

/** The v2 table's bytes and where its index's offset array lies. */
function v2Table(dir: string): {file: string; bytes: Buffer; index: {offset: number; size: number}; arrayAt: number; n: number} {
  const file = path.join(dir, '000003.sst')
  writeTable(file, putEntries(200, (i) => Buffer.from(`value ${i}`)), {blockSize: 256})
  const bytes = fs.readFileSync(file)
  const {index} = decodeFooter(bytes.subarray(-FOOTER_SIZE), file, bytes.length - FOOTER_SIZE)
  const n = bytes.readUInt32LE(index.offset + index.size - 4)
  return {file, bytes, index, arrayAt: index.offset + index.size - 4 - 4 * n, n}
}

test('a checksummed v2 index with entry offsets out of order is corruption at first use', (t) => {
  const v = v2Table(tempDir(t))
  t.true(v.n > 10)
  for (const [label, edit] of [
    ['offset 0 not zero', (b: Buffer) => b.writeUInt32LE(1, v.arrayAt)],
    ['offsets not increasing', (b: Buffer) => b.writeUInt32LE(b.readUInt32LE(v.arrayAt + 4 * 3), v.arrayAt + 4 * 4)],
    ['count too large', (b: Buffer) => b.writeUInt32LE(v.n * 50, v.index.offset + v.index.size - 4)],
    ['count zero', (b: Buffer) => b.writeUInt32LE(0, v.index.offset + v.index.size - 4)],
  ] as const) {
    const bytes = Buffer.from(v.bytes)
    edit(bytes)
    fixCrc(bytes, v.index)
    const lazy = TableReader.openLazily(bufferFileSystem(v.file, bytes), v.file)
    const err = t.throws(() => lazy.get(key(5)), {instanceOf: StrataError}, label)
    t.is(err?.code, 'CORRUPTION', label)
    t.true(err!.offset! >= v.index.offset && err!.offset! < v.index.offset + v.index.size, `${label}: offset ${err?.offset}`)
    lazy.close()
  }
})

test('a lazily opened v2 table checks its whole index before an iteration', (t) => {
  const v = v2Table(tempDir(t))
  // Swap the last keys of entries 4 and 5 (equal lengths): still well-formed
  // slots, so a lookup elsewhere works, but the keys are out of order.
  const bytes = Buffer.from(v.bytes)
  const at = (i: number): number => v.index.offset + bytes.readUInt32LE(v.arrayAt + 4 * i)
  const len = bytes[at(4)]
  t.is(bytes[at(5)], len)
  const k4 = Buffer.from(bytes.subarray(at(4) + 1, at(4) + 1 + len))
  bytes.copy(bytes, at(4) + 1, at(5) + 1, at(5) + 1 + len)
  k4.copy(bytes, at(5) + 1)
  fixCrc(bytes, v.index)
  const lazy = TableReader.openLazily(bufferFileSystem(v.file, bytes), v.file)
  t.is(lazy.get(key(199))?.value.toString(), 'value 199')
  const err = t.throws(() => [...lazy.entries()], {instanceOf: StrataError})
  t.is(err?.code, 'CORRUPTION')
  t.is(err?.offset, at(5))
  lazy.close()
  const eager = t.throws(() => TableReader.open(bufferFileSystem(v.file, bytes), v.file), {instanceOf: StrataError})
  t.is(eager?.code, 'CORRUPTION')
})

test('an entry offset out of order away from the path of a lookup is caught by the first iteration and by an eager open', (t) => {
  const v = v2Table(tempDir(t))
  // Entry n-3's offset repeats n-4's: the slot of entry n-4 is empty. A get of
  // an early key never touches it (a lookup checks only the slots it reads).
  const bytes = Buffer.from(v.bytes)
  const i = v.n - 3
  bytes.writeUInt32LE(bytes.readUInt32LE(v.arrayAt + 4 * (i - 1)), v.arrayAt + 4 * i)
  fixCrc(bytes, v.index)
  const lazy = TableReader.openLazily(bufferFileSystem(v.file, bytes), v.file)
  t.is(lazy.get(key(0))?.value.toString(), 'value 0')
  const err = t.throws(() => [...lazy.entries()], {instanceOf: StrataError})
  t.is(err?.code, 'CORRUPTION')
  t.true(err!.offset! >= v.index.offset && err!.offset! < v.index.offset + v.index.size, `offset ${err?.offset}`)
  lazy.close()
  const eager = t.throws(() => TableReader.open(bufferFileSystem(v.file, bytes), v.file), {instanceOf: StrataError})
  t.is(eager?.code, 'CORRUPTION')
})
