/**
 * formats/README.md's worked examples are real files: each hex dump
 * decodes with the Kaitai parsers, its checksums hold, and it holds what the
 * prose says it does.
 */
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {Parsers, type FileKind} from '../../src/kaitai/index.js'
import {repoRoot} from '../helpers/temp.js'
import {checksums, dataBlocks, parseAs} from './helpers.js'

/** The xxd-style hex dumps in the README, in order. */
function hexDumps(): Buffer[] {
  const text = fs.readFileSync(path.join(repoRoot, 'formats', 'README.md'), 'utf8')
  const dumps: Buffer[] = []
  for (const block of text.split('```').filter((_, i) => i % 2 === 1)) {
    const lines = block.split('\n').filter((l) => /^[0-9a-f]{8}: /.test(l))
    if (lines.length === 0) continue
    dumps.push(Buffer.from(lines.map((l) => l.slice(10, 49).replace(/ /g, '')).join(''), 'hex'))
  }
  return dumps
}

const ORDER: FileKind[] = ['wal', 'sst', 'manifest', 'store']

test('each worked example decodes, and its checksums hold', (t) => {
  const dumps = hexDumps()
  t.is(dumps.length, ORDER.length)
  dumps.forEach((buf, i) => {
    const parsed = parseAs(ORDER[i], buf, `README example ${i}`)
    for (const c of checksums(parsed)) t.is(c.computed, c.stored, `${ORDER[i]}: ${c.what}`)
  })
})

test('each worked example holds what the README says', (t) => {
  const [wal, sst, manifest, store] = hexDumps().map((b, i) => parseAs(ORDER[i], b, `README example ${i}`))
  const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1')
  const {PUT, DELETE} = Parsers.StrataEntry.RecordKind
  if (wal.kind !== 'wal' || sst.kind !== 'sst' || manifest.kind !== 'manifest' || store.kind !== 'store') return t.fail()
  const batch = wal.file.records[0].payload as InstanceType<typeof Parsers.StrataWal.Batch>
  t.deepEqual(batch.entries.map((e) => [e.kind, e.sequence.value, text(e.key), text(e.value), e.expiresAt ?? null]),
    [[PUT, 4, 'pear', 'green', 1735689660000], [DELETE, 5, 'apple', '', null]])
  const entries = dataBlocks(sst.file).flatMap((b) => b.block.entryArea.entries)
  t.deepEqual(entries.map((e) => [e.kind, e.sequence.value, text(e.key), text(e.value), e.expiresAt ?? null]),
    [[PUT, 1, 'apple', 'red', null], [PUT, 2, 'fig', 'purple', 1735693200000], [DELETE, 3, 'kiwi', '', null]])
  t.is(sst.file.properties.createdAtMs, 1735689600000)
  t.deepEqual(manifest.file.tables.map((x) => [x.fileNumber, x.fileSize, text(x.smallestKey), text(x.largestKey)]), [[4, 261, 'apple', 'kiwi']])
  t.is(manifest.file.walNumber, 3)
  t.deepEqual([store.file.shardCount, store.file.compression, store.file.createdBy], [1, 0, 'strata 0.1.0'])
})
