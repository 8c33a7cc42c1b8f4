/**
 * Shared by the format tests: the rich test store, the files it leaves, and
 * checksum recomputation over the spans the Kaitai parsers decode.
 */
import type {CompressionName} from '../../src/sstable/format.js'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {crc32} from '../../src/util/crc.js'
import {
  dataBlock, fileKindOf, parseManifest, parseSstable, parseStore, parseWal,
  type FileKind, type StrataManifest, type StrataSstable, type StrataStore, type StrataWal,
} from '../../src/kaitai/index.js'
import {tempDir} from '../helpers/temp.js'
import {buildRichStore} from '../helpers/rich-store.js'

/** The rich store (helpers/rich-store.ts) at the formats tests' size, closed. */
export async function runWorkload(compression: CompressionName): Promise<Workload> {
  const dir = path.join(tempDir('strata-formats-'), 'db')
  await buildRichStore(dir, {compression, userKeys: 400, lateKeys: 300, walFlushBytes: 12 * 1024})
  return {dir, compression}
}

/** The store a test reads. */
export interface Workload {
  readonly dir: string
  readonly compression: CompressionName
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
