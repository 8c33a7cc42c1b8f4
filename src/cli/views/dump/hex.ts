/**
 * `dump --hex`: a file's raw bytes, field by field, beside what they mean.
 *
 * Rows come from the Kaitai parsers' debug spans (`_debug`: where each field
 * was read), so every row is a field of the spec at the offset the parser
 * read it from - nothing here re-implements the layout. A file is cut into
 * sections (a WAL's header and each record; a table's data blocks, filter,
 * properties, index and footer), each listed in file order; bytes inside a
 * section that no field covers are shown as "(not decoded)". The fields of
 * a zlib data block are positions in its inflated contents (shown as
 * "z+N"), after one row for the stored stream. Checksums are recomputed and
 * marked; a mismatch is reported after the output (exit 3). A WAL damaged
 * in the middle shows its records up to the damage, then one "damaged"
 * section holding the rest of the file, and the damage is reported likewise.
 *
 * Long byte fields are cut to `maxBytes` bytes (0: never cut).
 */
import type {RecordEncodings} from '../../output/records.js'
import {Parsers, parseManifest, parseStore, type KaitaiNode} from '../../../kaitai/index.js'
import {checkCrc, hex32, type Problems} from '../../../dump/checks.js'
import {bytesText, timeText} from './present.js'
import {flagNames} from '../../../dump/records.js'
import type {DumpFile} from '../../../dump/source.js'
import {blockCount, blockPlace, isCompressed, isZlib, openTable, withBlock} from '../../../dump/sstable.js'
import {decodeWalFile, walRecordsBeforeDamage, type WalDamage} from '../../../dump/wal.js'
import {decodeCurrent, enumName} from '../../../dump/summary.js'

/** One field. */
export interface HexRow {
  /** File offset; null for a field inside an inflated block. */
  readonly offset: number | null
  /** Position inside the inflated block, for fields of a zlib data block. */
  readonly inflatedOffset?: number
  readonly size: number
  readonly bytes: Uint8Array
  /** Field path in spec names, e.g. "records[2].entries[0].key". */
  readonly field: string
  readonly value: string
  /** A checksum that does not verify. */
  readonly bad?: boolean
}

/** A part of a file and its fields in file order. */
export interface HexSection {
  readonly name: string
  readonly offset: number
  readonly size: number
  readonly rows: readonly HexRow[]
}

/** Options for `hexSections`. */
export interface HexOptions {
  readonly enc: RecordEncodings
  readonly maxBytes: number
  readonly problems: Problems
}

interface DebugSpan {
  readonly start?: number
  readonly end?: number
  readonly ioOffset: number
  readonly arr?: readonly DebugSpan[]
  readonly enumName?: string
}

/** Fields never shown: views over bytes other fields show, and lazily decoded blocks (shown in their own section). */
const SKIP = new Set(['checked_span', 'block', 'inflated', 'end_ofs'])
/** Wrapper objects whose fields are shown under the parent's path. */
const COLLAPSE = new Set(['entry_area', 'payload'])
const KEY_FIELDS = new Set(['key', 'last_key', 'smallest_key', 'largest_key'])

const ENUMS: Record<string, {readonly [v: number]: string}> = {
  'StrataEntry.RecordKind': Parsers.StrataEntry.RecordKind,
  'StrataEntry.ValueCodec': Parsers.StrataEntry.ValueCodec,
  'StrataManifest.ManifestFormat': Parsers.StrataManifest.ManifestFormat,
  'StrataSstable.BlockCompression': Parsers.StrataSstable.BlockCompression,
  'StrataSstable.TableFormat': Parsers.StrataSstable.TableFormat,
  'StrataStore.HashId': Parsers.StrataStore.HashId,
  'StrataStore.StoreFormat': Parsers.StrataStore.StoreFormat,
  'StrataWal.RecordType': Parsers.StrataWal.RecordType,
  'StrataWal.WalFormat': Parsers.StrataWal.WalFormat,
}

function isNode(v: unknown): v is KaitaiNode {
  return typeof v === 'object' && v !== null && '_io' in v && '_debug' in v
}

/** A strata_varint object: shown as one field holding its value. */
function isVarint(v: unknown): v is {readonly value: number; readonly len: number} {
  return isNode(v) && 'b0' in v && 'len' in v && 'value' in v
}

function snake(name: string): string {
  return name.replace(/^_m_/, '').replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
}

class Walker {
  readonly rows: HexRow[] = []
  private readonly rootBuffer: ArrayBufferLike
  private readonly rootOffset: number
  /** Stream offset of the inflated block being walked, if any. */
  inflatedBase = 0

  constructor(root: KaitaiNode, private readonly file: string, private readonly opts: HexOptions) {
    this.rootBuffer = root._io.dataView.buffer
    this.rootOffset = root._io.byteOffset
  }

  walk(node: KaitaiNode, path: string): void {
    for (const [key, span] of Object.entries(node._debug ?? {}) as Array<[string, DebugSpan]>) {
      if (span.start === undefined || span.end === undefined) continue
      const name = snake(key)
      if (SKIP.has(name)) continue
      const value = (node as unknown as Record<string, unknown>)[key]
      if (value === undefined) continue
      const label = COLLAPSE.has(name) ? path : path === '' ? name : `${path}.${name}`
      if (span.arr !== undefined && Array.isArray(value)) {
        span.arr.forEach((el, i) => {
          const v = value[i] as unknown
          if (isNode(v) && !isVarint(v)) this.walk(v, `${label}[${i}]`)
          else this.leaf(node, name, `${label}[${i}]`, isVarint(v) ? v.value : v, el)
        })
      } else if (isVarint(value)) {
        this.leaf(node, name, label, value.value, span)
      } else if (isNode(value)) {
        this.walk(value, label)
      } else {
        this.leaf(node, name, label, value, span)
      }
    }
  }

  /** A row for `size` bytes at `offset` that are not one decoded field (a stored zlib stream, a torn tail). */
  raw(offset: number, size: number, bytes: Uint8Array, field: string, value: string, bad = false): void {
    this.rows.push({offset, size, bytes, field, value, ...(bad ? {bad} : {})})
  }

  private leaf(node: KaitaiNode, name: string, field: string, value: unknown, span: DebugSpan): void {
    const size = span.end! - span.start!
    if (size === 0) return
    const buffer = node._io.dataView.buffer
    const abs = span.ioOffset + span.start!
    const bytes = new Uint8Array(buffer, abs, size)
    const inFile = buffer === this.rootBuffer
    const where = inFile ? {offset: abs - this.rootOffset} : {offset: null, inflatedOffset: abs - this.inflatedBase}
    const {text, bad} = this.meaning(node, name, field, value, span, where.offset)
    this.rows.push({...where, size, bytes, field, value: text, ...(bad ? {bad} : {})})
  }

  private meaning(node: KaitaiNode, name: string, field: string, value: unknown, span: DebugSpan, offset: number | null): {text: string; bad?: boolean} {
    const {enc, maxBytes} = this.opts
    if (span.enumName !== undefined && typeof value === 'number') {
      const e = ENUMS[span.enumName]
      return {text: e ? `${value} (${enumName(e, value)})` : String(value)}
    }
    if (name === 'crc' && typeof value === 'number') {
      const holder = 'checkedSpan' in node ? node : (node as unknown as {_parent: unknown})._parent
      const covered = (holder as {checkedSpan?: Uint8Array}).checkedSpan
      if (!(covered instanceof Uint8Array)) return {text: hex32(value)}
      const check = checkCrc(covered, value, offset ?? 0)
      this.opts.problems.crc(this.file, field, check)
      return check.ok ? {text: `${hex32(value)} (verifies)`} : {text: `${hex32(value)} MISMATCH (computed ${hex32(check.computed)})`, bad: true}
    }
    if (name === 'flags' && typeof value === 'number' && node instanceof Parsers.StrataEntry) {
      const names = flagNames(value)
      return {text: `0x${value.toString(16).padStart(2, '0')}${names.length > 0 ? ` (${names.join(', ')})` : ' (none)'}`}
    }
    if ((name === 'expires_at' || name === 'created_at_ms') && typeof value === 'number') return {text: timeText(value)}
    if (typeof value === 'string') return {text: JSON.stringify(value)}
    if (value instanceof Uint8Array) {
      if (name === 'magic') return {text: JSON.stringify(Buffer.from(value).toString('latin1'))}
      if (name === 'bits') return {text: `bloom filter, ${value.length} bytes (${value.length * 8} bits)`}
      if (KEY_FIELDS.has(name) || name === 'value') {
        const cut = maxBytes > 0 && value.length > maxBytes
        const shown = bytesText(cut ? value.subarray(0, maxBytes) : value, enc, name === 'value' ? 'value' : 'key')
        return {text: cut ? `${shown}… (${value.length} bytes)` : shown}
      }
      return {text: `${value.length} bytes`}
    }
    return {text: String(value)}
  }
}

/** Sorts rows into file order (inflated fields right after their block's stored bytes), drops duplicates and rows outside the section, and names gaps. */
function section(file: Buffer, name: string, offset: number, size: number, rows: readonly HexRow[]): HexSection {
  const end = offset + size
  const key = (r: HexRow): [number, number] => (r.offset === null ? [offset, r.inflatedOffset ?? 0] : [r.offset, -1])
  const inRange = rows.filter((r) => r.offset === null || (r.offset >= offset && r.offset + r.size <= end))
  inRange.sort((a, b) => {
    const [a0, a1] = key(a)
    const [b0, b1] = key(b)
    return a0 - b0 || a1 - b1 || b.size - a.size
  })
  const out: HexRow[] = []
  const seen = new Set<string>()
  const gap = (from: number, to: number): HexRow => ({offset: from, size: to - from, bytes: file.subarray(from, to), field: '(not decoded)', value: `${to - from} bytes`})
  let pos = offset
  for (const r of inRange) {
    const id = `${r.offset}:${r.inflatedOffset}:${r.size}`
    if (seen.has(id)) continue
    seen.add(id)
    if (r.offset !== null) {
      if (r.offset > pos) out.push(gap(pos, r.offset))
      pos = Math.max(pos, r.offset + r.size)
    }
    out.push(r)
  }
  if (pos < end && inRange.length > 0) out.push(gap(pos, end))
  return {name, offset, size, rows: out}
}

/** The sections of `f`, in file order. A table's data blocks are decoded one at a time, as they are yielded. */
export function* hexSections(f: DumpFile, opts: HexOptions): Generator<HexSection> {
  const {problems} = opts
  switch (f.kind) {
    case 'current': {
      const {manifest} = decodeCurrent(f)
      yield {name: 'CURRENT', offset: 0, size: f.bytes.length, rows: [{offset: 0, size: f.bytes.length, bytes: f.bytes, field: 'manifest_name', value: `${JSON.stringify(manifest)} + newline`}]}
      return
    }
    case 'store':
    case 'manifest': {
      const root = f.kind === 'store' ? parseStore(f.bytes, f.path) : parseManifest(f.bytes, f.path)
      const w = new Walker(root, f.path, opts)
      w.walk(root, '')
      yield section(f.bytes, f.kind === 'store' ? 'STORE' : 'manifest', 0, f.bytes.length, w.rows)
      return
    }
    case 'wal': {
      const v = decodeWalFile(f.bytes, f.path, problems, {untilDamage: true})
      const header = new Walker(v.root, f.path, opts)
      header.walk(v.header, 'header')
      yield section(f.bytes, 'header', 0, Math.min(20, f.bytes.length), header.rows)
      let i = 0
      const seen: {damage?: WalDamage} = {}
      for (const r of walRecordsBeforeDamage(v, (d) => (seen.damage = d))) {
        const w = new Walker(v.root, f.path, opts)
        w.walk(r, `records[${i}]`)
        yield section(f.bytes, `record ${i}`, r.ofs, r.endOfs - r.ofs, w.rows)
        i++
      }
      const d = seen.damage
      // A record that does not decode comes before any torn tail, and ends the listing.
      if (v.tornTail && d === undefined) {
        const t = v.tornTail
        const w = new Walker(v.root, f.path, opts)
        w.raw(t.offset, t.bytes, f.bytes.subarray(t.offset), 'torn_tail', `${t.bytes} bytes recovery drops: ${t.reason} (an append in progress, or one cut short)`)
        yield section(f.bytes, 'torn tail', t.offset, t.bytes, w.rows)
      }
      if (d !== undefined) {
        const size = f.bytes.length - d.offset
        const w = new Walker(v.root, f.path, opts)
        w.raw(d.offset, size, f.bytes.subarray(d.offset), 'damaged', `${size} bytes not decoded: ${d.reason}`, true)
        yield section(f.bytes, 'damaged', d.offset, size, w.rows)
        problems.report(d.error)
      }
      return
    }
    case 'sst': {
      const v = openTable(f.bytes, f.path, problems)
      const t = v.table
      for (let i = 0; i < blockCount(v); i++) {
        const place = blockPlace(v, i)
        const h = t.index.entries[i].handle
        const w = new Walker(t, f.path, opts)
        const stored = f.bytes.subarray(place.offset, place.offset + place.size)
        if (isCompressed(place) || !place.crc.ok) {
          const what = isCompressed(place) ? `${isZlib(place) ? 'zlib' : 'lz'} stream` : 'stored contents'
          w.raw(place.offset, place.size, stored, `data_blocks[${i}]`, `${what}, ${place.size} bytes${place.crc.ok ? '' : ' (not decoded: checksum mismatch)'}`)
        }
        withBlock(v, i, problems, (block) => {
          w.inflatedBase = block._io.byteOffset
          w.walk(block, `data_blocks[${i}]`)
        })
        w.walk(h.trailer, `data_blocks[${i}].trailer`)
        yield section(f.bytes, `data block ${i}`, place.offset, place.size + 5, w.rows)
      }
      const meta = (name: 'filter' | 'properties' | 'index'): HexSection => {
        const h = t.footer[name]
        const w = new Walker(t, f.path, opts)
        w.walk(t[name] as unknown as KaitaiNode, name)
        if (name === 'index') indexTail(w, t.indexOffsets, h, f.bytes)
        w.walk(h.trailer, `${name}.trailer`)
        return section(f.bytes, `${name} block`, h.offset, h.size + 5, w.rows)
      }
      yield meta('filter')
      yield meta('properties')
      yield meta('index')
      const w = new Walker(t, f.path, opts)
      w.walk(t.footer as unknown as KaitaiNode, 'footer')
      yield section(f.bytes, 'footer', f.bytes.length - 52, 52, w.rows)
    }
  }
}

/** Rows for a v2 index block's tail, after its entries: the entry offsets and their count (table instances, not index fields). */
function indexTail(w: Walker, offsets: readonly number[] | undefined, h: {offset: number; size: number}, file: Buffer): void {
  if (offsets === undefined) return
  const countAt = h.offset + h.size - 4
  const arrayAt = countAt - 4 * offsets.length
  offsets.forEach((o, i) => w.raw(arrayAt + 4 * i, 4, file.subarray(arrayAt + 4 * i, arrayAt + 4 * i + 4), `index_offsets[${i}]`, String(o)))
  w.raw(countAt, 4, file.subarray(countAt, countAt + 4), 'index_count', String(offsets.length))
}

/** Hex of `bytes` in pairs, cut to `maxBytes`; `total` is the field's real size. */
export function hexBytes(bytes: Uint8Array, total: number, maxBytes: number): {hex: string; truncated: boolean} {
  const shown = maxBytes > 0 && bytes.length > maxBytes ? bytes.subarray(0, maxBytes) : bytes
  const hex = Buffer.from(shown.buffer, shown.byteOffset, shown.byteLength).toString('hex').replace(/(..)(?!$)/g, '$1 ')
  return {hex, truncated: total > shown.length}
}
