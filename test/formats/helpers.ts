/**
 * Shared by the format tests: a realistic engine workload, the files it
 * leaves, and checksum recomputation over the spans the Kaitai parsers decode.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import {createHash, randomBytes} from 'node:crypto'
import {createStore, open} from '../../src/index.js'
import {crc32} from '../../src/util/crc.js'
import {
  dataBlock, fileKindOf, parseManifest, parseSstable, parseStore, parseWal,
  type FileKind, type StrataManifest, type StrataSstable, type StrataStore, type StrataWal,
} from '../../src/kaitai/index.js'
import {tempDir} from '../helpers/temp.js'

/** Deterministic pseudo-random bytes (sha256 chain), so failures reproduce. */
export function pseudoRandom(seed: string, n: number): Buffer {
  const out: Buffer[] = []
  let h: Buffer = Buffer.from(seed)
  let total = 0
  while (total < n) {
    h = createHash('sha256').update(h).digest()
    out.push(h)
    total += h.length
  }
  return Buffer.concat(out).subarray(0, n)
}

/** Keys that stress bytewise order and framing: 0x00 and 0xff bytes, prefixes, one byte, binary. */
export function binaryKeys(): Buffer[] {
  const keys: Buffer[] = [
    Buffer.from([0x00]), Buffer.from([0xff]), Buffer.from([0x00, 0x00]), Buffer.from([0xff, 0xff, 0xff]),
    Buffer.from([0x00, 0xff, 0x00]), Buffer.from([0x80]), Buffer.from([0x7f, 0x80, 0x81]),
    Buffer.from('key\x00with\x00nuls'), Buffer.from('\xff\xfe high', 'latin1'), Buffer.from('a'), Buffer.from('ab'),
  ]
  for (let i = 0; i < 40; i++) keys.push(pseudoRandom(`bin${i}`, 1 + (i % 23)))
  return keys
}

/** What the workload did to a store, for the tests' sanity checks. */
export interface Workload {
  readonly dir: string
  readonly compression: 'zlib' | 'none'
}

/**
 * Runs a realistic workload and leaves the store closed: several shards,
 * a small walFlushBytes (many flushes), overwrites, deletes, batches, TTLs
 * (some expired before the compaction), JSON-marked values, binary keys,
 * one compaction, then more writes - some flushed again (level 0 above the
 * compacted level 1), the rest left in the WAL. With 'zlib', values are compressible text; with 'none', random.
 */
export async function runWorkload(compression: 'zlib' | 'none'): Promise<Workload> {
  const dir = path.join(tempDir('strata-formats-'), 'db')
  await createStore(dir, {shards: 3, compression})
  let clock = 1_700_000_000_000
  const store = await open(dir, {sync: 'none', walFlushBytes: 12 * 1024, compactionTrigger: 1000, now: () => clock})
  const value = (i: number, len: number): Buffer =>
    compression === 'zlib'
      ? Buffer.from(`value ${i} `.repeat(Math.ceil(len / 8)).slice(0, len))
      : randomBytes(len)
  const keys = binaryKeys()
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 400; i++) {
      const key = i % 4 === 0 ? keys[i % keys.length] : Buffer.from(`user:${String(i).padStart(5, '0')}`)
      if (i % 11 === 5) await store.put(key, value(i, 40 + (i % 90)), {ttlMs: round === 0 ? 1_000 : 10_000_000})
      else if (i % 13 === 7) await store.put(key, JSON.stringify({i, round}), {json: true})
      else await store.put(key, value(i * (round + 1), 20 + ((i * 7) % 200)))
    }
    for (let i = 0; i < 400; i += 9) await store.delete(Buffer.from(`user:${String(i).padStart(5, '0')}`))
    await store.batch([
      {type: 'put', key: keys[0], value: value(round, 300)},
      {type: 'del', key: keys[1]},
      {type: 'put', key: Buffer.from([0xff, 0x00, round]), value: Buffer.alloc(0)},
      {type: 'put', key: 'batch:ttl', value: 'x', ttlMs: 5_000},
    ])
    clock += 60_000
  }
  // A value larger than a data block: a block of one entry.
  await store.put('big', value(7, 9000))
  await store.flush()
  await store.compact()
  for (let i = 0; i < 300; i++) {
    const key = Buffer.from(`late:${i}`)
    if (i % 10 === 3) await store.put(key, value(i, 50), {ttlMs: 60_000})
    else await store.put(key, value(i, 30 + (i % 40)))
    if (i % 17 === 0) await store.delete(Buffer.from(`user:${String(i).padStart(5, '0')}`))
    if (i === 199) await store.flush() // new level-0 tables above the compacted level-1 ones
  }
  await store.close()
  return {dir, compression}
}

/** Every file below `dir` with its kind (undefined for CURRENT, LOCK and other non-binary files). */
export function filesOf(dir: string): Array<{path: string; name: string; kind: FileKind | undefined}> {
  const out: Array<{path: string; name: string; kind: FileKind | undefined}> = []
  const walk = (d: string): void => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name)
      if (fs.statSync(p).isDirectory()) walk(p)
      else out.push({path: p, name, kind: fileKindOf(name)})
    }
  }
  walk(dir)
  return out
}

/** A parsed file of any kind. */
export type Parsed =
  | {kind: 'store'; file: StrataStore}
  | {kind: 'manifest'; file: StrataManifest}
  | {kind: 'wal'; file: StrataWal}
  | {kind: 'sst'; file: StrataSstable}

/** Parses `buf` as `kind` with the Kaitai parsers. */
export function parseAs(kind: FileKind, buf: Buffer, name: string): Parsed {
  switch (kind) {
    case 'store':
      return {kind, file: parseStore(buf, name)}
    case 'manifest':
      return {kind, file: parseManifest(buf, name)}
    case 'wal':
      return {kind, file: parseWal(buf, name)}
    case 'sst':
      return {kind, file: parseSstable(buf, name)}
  }
}

/** One stored checksum and the one recomputed over the span the parser decoded for it. */
export interface ChecksumCheck {
  readonly what: string
  readonly stored: number
  readonly computed: number
}

/** Every checksum of a parsed file, recomputed with zlib's CRC-32 over its decoded span. */
export function checksums(p: Parsed): ChecksumCheck[] {
  const c = (what: string, stored: number, span: Uint8Array): ChecksumCheck => ({what, stored, computed: crc32(span)})
  switch (p.kind) {
    case 'store':
    case 'manifest':
      return [c(`${p.kind} crc`, p.file.crc, p.file.checkedSpan)]
    case 'wal':
      return [
        c('wal header crc', p.file.header.crc, p.file.header.checkedSpan),
        ...p.file.records.map((r, i) => c(`wal record ${i} crc`, r.crc, r.checkedSpan)),
      ]
    case 'sst': {
      const t = p.file
      const f = t.footer
      const block = (what: string, h: StrataSstable.BlockHandle): ChecksumCheck => c(`${what} block crc`, h.trailer.crc, h.checkedSpan)
      return [
        c('footer crc', f.crc, f.checkedSpan),
        block('filter', f.filter),
        block('properties', f.properties),
        block('index', f.index),
        ...t.index.entries.map((e, i) => block(`data ${i}`, e.handle)),
      ]
    }
  }
}

/** The data blocks of a parsed table, uncompressed, with the compression their trailer names. */
export function dataBlocks(t: StrataSstable): Array<{compression: number; block: StrataSstable.DataBlock}> {
  return t.index.entries.map((e, i) => ({compression: e.handle.trailer.compression, block: dataBlock(t, i)}))
}
