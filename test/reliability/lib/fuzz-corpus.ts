/**
 * Inputs for the decoder fuzzer: valid files of every kind written by the
 * engine (the seeds), and mutators that damage them. Many mutations repair
 * the checksum that covers the damaged region (a WAL record's crc, a table
 * block's trailer, a manifest's or STORE's whole-file crc), so the decoders
 * get past their checksum checks and parse the damaged fields themselves.
 */
import {createStore, open} from '../../../src/index.js'
import {FaultFileSystem} from '../../../src/vfs/fault-fs.js'
import {crc32} from '../../../src/util/crc.js'
import {ByteWriter} from '../../../src/util/coding.js'
import {encodeEntry} from '../../../src/record/codec.js'
import {Kind, ValueCodec} from '../../../src/record/format.js'
import {decodeFooter} from '../../../src/sstable/footer.js'
import {TableReader} from '../../../src/sstable/reader.js'
import {FOOTER_SIZE} from '../../../src/sstable/format.js'
import {Rng} from './seed.js'
import {keyPool, randomOp, execute} from './workload.js'

/** The file kinds fuzzed. */
export type FuzzKind = 'wal' | 'sst' | 'manifest' | 'store' | 'entry'

/** A checksummed region of a seed: [start, end) covered by the crc stored at crcAt. */
interface Region {
  readonly start: number
  readonly end: number
  readonly crcAt: number
  /** WAL records: where the u32 payload length is (rewritten when the region changes size). */
  readonly lengthAt?: number
}

/** A valid file and its checksummed regions. */
export interface Seed {
  readonly kind: FuzzKind
  readonly name: string
  readonly bytes: Buffer
  readonly regions: readonly Region[]
}

/** A store written by the engine, and every file in it. */
export interface SeedStore {
  readonly fs: FaultFileSystem
  readonly dir: string
  readonly seeds: Seed[]
}

/** Builds a store with every feature in its files, and its files as seeds. */
export async function buildSeedStore(seed: number, root: string): Promise<SeedStore> {
  const rng = new Rng(seed)
  const fs = new FaultFileSystem()
  const seeds: Seed[] = []
  for (const compression of ['none', 'zlib'] as const) {
    const dir = `${root}/${compression}`
    await createStore(dir, {fs, shards: 2, compression})
    let clock = 1_700_000_000_000
    const s = await open(dir, {fs, sync: 'none', walFlushBytes: 3000, compactionTrigger: 3, now: () => clock})
    const keys = keyPool(rng, 60)
    for (let i = 0; i < 160; i++) {
      await execute(s, randomOp(rng, keys, `f${i}`, {maintenance: false}))
      if (i === 60) await s.compact()
      if (i % 41 === 0) await s.put(`json:${i}`, JSON.stringify({i}), {json: true})
      clock += 500
    }
    await s.close()
  }
  const dir = `${root}/none`
  for (const [path, bytes] of fs.listFiles(root)) {
    const name = path.slice(root.length + 1)
    if (/\.wal$/.test(path)) seeds.push({kind: 'wal', name, bytes, regions: walRegions(bytes)})
    else if (/\.sst$/.test(path)) seeds.push({kind: 'sst', name, bytes, regions: sstRegions(fs, path, bytes)})
    else if (/MANIFEST-\d+$/.test(path)) seeds.push({kind: 'manifest', name, bytes, regions: [{start: 0, end: bytes.length - 4, crcAt: bytes.length - 4}]})
    else if (/\/STORE$/.test(path)) seeds.push({kind: 'store', name, bytes, regions: [{start: 0, end: bytes.length - 4, crcAt: bytes.length - 4}]})
  }
  for (const [i, e] of entrySamples(rng).entries()) seeds.push({kind: 'entry', name: `entry ${i}`, bytes: e, regions: []})
  return {fs, dir, seeds}
}

function walRegions(b: Buffer): Region[] {
  const regions: Region[] = [{start: 0, end: 16, crcAt: 16}]
  let at = 20
  while (at + 9 <= b.length) {
    const len = b.readUInt32LE(at + 4)
    const end = at + 9 + len
    if (end > b.length) break
    regions.push({start: at + 4, end, crcAt: at, lengthAt: at + 4})
    at = end
  }
  return regions
}

function sstRegions(fs: FaultFileSystem, path: string, b: Buffer): Region[] {
  const footerAt = b.length - FOOTER_SIZE
  const regions: Region[] = [{start: footerAt, end: footerAt + 40, crcAt: footerAt + 40}]
  const footer = decodeFooter(b.subarray(footerAt), path, footerAt)
  const reader = TableReader.open(fs, path)
  const handles = [footer.filter, footer.properties, footer.index, ...reader.index.map((e) => e.handle)]
  reader.close()
  // A block's crc covers its contents and the compression byte after them.
  for (const h of handles) regions.push({start: h.offset, end: h.offset + h.size + 1, crcAt: h.offset + h.size + 1})
  return regions
}

/** Encoded entries of every shape. */
function entrySamples(rng: Rng): Buffer[] {
  const out: Buffer[] = []
  const w = new ByteWriter()
  const shapes = [
    {kind: Kind.PUT, key: Buffer.from('k'), value: Buffer.from('v'), seq: 1},
    {kind: Kind.DELETE, key: Buffer.from('gone'), value: Buffer.alloc(0), seq: 300},
    {kind: Kind.PUT, key: rng.bytes(40), value: rng.bytes(300), seq: 2 ** 40, expiresAt: 1_700_000_000_000},
    {kind: Kind.PUT, key: Buffer.from('j'), value: Buffer.from('{}'), seq: 7, json: true},
    {kind: Kind.PUT, key: Buffer.from('z'), value: Buffer.from('x'), seq: 9, codec: ValueCodec.ZLIB},
    {kind: Kind.PUT, key: Buffer.from('s'), value: Buffer.from('y'), seq: 10, schema: {id: 3, version: 2}},
  ]
  for (const e of shapes) {
    w.reset()
    encodeEntry(w, e)
    out.push(Buffer.from(w.finish()))
  }
  return out
}

const INTERESTING_U32 = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff]

/** One mutated input: its bytes and how it was made. */
export interface Mutant {
  readonly bytes: Buffer
  readonly how: string
}

/** Damages `seed` in one of many ways; `others` are seeds of the same kind, for splicing. */
export function mutate(rng: Rng, seed: Seed, others: readonly Seed[]): Mutant {
  const b = Buffer.from(seed.bytes)
  const fixable = seed.regions.length > 0
  const r = rng.int(fixable ? 14 : 10)
  const at = (n = b.length): number => (n <= 0 ? 0 : rng.int(n))
  switch (r) {
    case 0: {
      const n = rng.range(1, 8)
      for (let i = 0; i < n && b.length > 0; i++) b[at()] ^= 1 << rng.int(8)
      return {bytes: b, how: `${n} bit flips`}
    }
    case 1: {
      if (b.length > 0) b[at()] = rng.pick([0, 0xff, 0x7f, 0x80, 1, rng.int(256)])
      return {bytes: b, how: 'one byte set'}
    }
    case 2: {
      if (b.length >= 4) b.writeUInt32LE(rng.pick(INTERESTING_U32), at(b.length - 3))
      return {bytes: b, how: 'a u32 set to an edge value'}
    }
    case 3: {
      const n = at(b.length + 1)
      return {bytes: b.subarray(0, n), how: `truncated to ${n} bytes`}
    }
    case 4: {
      const n = rng.range(1, 300)
      return {bytes: Buffer.concat([b, rng.chance(0.5) ? Buffer.alloc(n) : rng.bytes(n)]), how: `extended by ${n} bytes`}
    }
    case 5: {
      const from = at()
      const n = Math.min(b.length - from, rng.range(1, 64))
      return {bytes: Buffer.concat([b.subarray(0, from), b.subarray(from + n)]), how: `${n} bytes removed at ${from}`}
    }
    case 6: {
      const from = at()
      return {bytes: Buffer.concat([b.subarray(0, from), rng.bytes(rng.range(1, 32)), b.subarray(from)]), how: `random bytes inserted at ${from}`}
    }
    case 7: {
      const other = rng.pick(others)
      const cut = at()
      const from = rng.int(other.bytes.length + 1)
      return {bytes: Buffer.concat([b.subarray(0, cut), other.bytes.subarray(from)]), how: `spliced at ${cut} with ${other.name} from ${from}`}
    }
    case 8:
      return {bytes: rng.bytes(rng.int(rng.chance(0.5) ? 64 : 4096)), how: 'random bytes'}
    case 9: {
      const from = at()
      const n = Math.min(b.length - from, rng.range(1, 128))
      return {bytes: Buffer.concat([b.subarray(0, from + n), b.subarray(from, from + n), b.subarray(from + n)]), how: `${n} bytes duplicated at ${from}`}
    }
    default:
      return mutateRegion(rng, b, seed)
  }
}

/** Damages the inside of one checksummed region and repairs its checksum (and a WAL record's length). */
function mutateRegion(rng: Rng, b: Buffer, seed: Seed): Mutant {
  const region = rng.pick(seed.regions)
  let inner = Buffer.from(b.subarray(region.start, region.end))
  const op = rng.int(region.lengthAt !== undefined ? 5 : 3)
  let how: string
  if (op === 0 && inner.length > 0) {
    for (let i = rng.range(1, 4); i > 0; i--) inner[rng.int(inner.length)] ^= 1 << rng.int(8)
    how = 'bits flipped'
  } else if (op === 1 && inner.length >= 4) {
    inner.writeUInt32LE(rng.pick(INTERESTING_U32), rng.int(inner.length - 3))
    how = 'a u32 set to an edge value'
  } else if (op === 2 && inner.length > 0) {
    // A varint-looking run: continuation bits that never stop, or a huge length.
    const p = rng.int(inner.length)
    const run = rng.chance(0.5) ? Buffer.alloc(rng.range(1, 12), 0xff) : Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f])
    run.copy(inner, p)
    how = 'a varint made huge'
  } else if (op === 3 && inner.length > 5) {
    const p = rng.range(5, inner.length - 1)
    inner = Buffer.concat([inner.subarray(0, p), inner.subarray(p + rng.range(1, Math.min(16, inner.length - p)))])
    how = 'payload bytes removed, length repaired'
  } else {
    const p = rng.int(inner.length + 1)
    inner = Buffer.concat([inner.subarray(0, Math.max(5, p)), rng.bytes(rng.range(1, 16)), inner.subarray(Math.max(5, p))])
    how = 'payload bytes inserted, length repaired'
  }
  let out: Buffer
  if (inner.length === region.end - region.start) {
    inner.copy(b, region.start)
    out = b
  } else {
    out = Buffer.concat([b.subarray(0, region.start), inner, b.subarray(region.end)])
  }
  if (region.lengthAt !== undefined) out.writeUInt32LE(inner.length - 5, region.lengthAt)
  const end = region.start + inner.length
  out.writeUInt32LE(crc32(out.subarray(region.start, end)), region.crcAt === region.end ? end : region.crcAt)
  return {bytes: out, how: `in the region [${region.start}, ${region.end}): ${how}, checksum repaired`}
}
