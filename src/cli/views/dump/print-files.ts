/**
 * The per-file views of dump - summaries, --layout and --hex - in each
 * output format. JSON documents are {"path", "files": [...]} (see run.ts);
 * NDJSON gives one summary, layout block or hex row per line.
 */
import type {Output} from '../../output/output.js'
import type {RecordEncodings} from '../../output/records.js'
import type {Problems} from '../../../dump/checks.js'
import {hexBytes, hexSections, type HexSection} from './hex.js'
import {JsonStream} from '../../output/json-stream.js'
import {layoutBlocks, type LayoutBlock} from '../../../dump/layout.js'
import {bytesText, crcText, flatten, toJson} from './present.js'
import type {DumpFile} from '../../../dump/source.js'
import {summarize} from '../../../dump/summary.js'

function heading(out: Output, f: DumpFile, extra = ''): string {
  return out.color.bold(`${f.name}  ${f.kind}  ${f.bytes.length} bytes${extra}`)
}

export async function printSummaries(out: Output, path: string, files: Iterable<DumpFile>, problems: Problems, enc: RecordEncodings): Promise<void> {
  const json = new JsonStream(out)
  if (out.format === 'json') await json.open({path}, 'files')
  let first = true
  for (const f of files) {
    if (out.closed) break
    const s = summarize(f, problems)
    if (out.format === 'json') await json.item(toJson(s, enc))
    else if (out.format === 'ndjson') await out.ndjson(toJson(s, enc))
    else {
      if (!first) await out.line('')
      await out.line(heading(out, f))
      const pairs = flatten(s, enc, new Set(['file', 'name', 'kind', 'size']))
      if (out.format === 'table') await out.fields(pairs)
      else for (const [k, v] of pairs) await out.line(`  ${k}: ${v}`)
    }
    first = false
  }
  if (out.format === 'json') await json.close()
}

function blockCells(b: LayoutBlock, enc: RecordEncodings): string[] {
  const key = (v: unknown): string => (v === null || v === undefined ? '' : bytesText(v as never, enc))
  return [
    b.index === undefined ? b.type : `${b.type} ${b.index}`, String(b.offset), String(b.size), b.compression ?? '',
    b.crc === null ? '' : crcText(b.crc), b.entries === undefined || b.entries === null ? '' : String(b.entries),
    key(b.firstKey), key(b.lastKey),
  ]
}

function blockText(b: LayoutBlock, enc: RecordEncodings): string {
  const {type, index, crc, ...rest} = b
  const name = index === undefined ? type : `${type} ${index}`
  const pairs = flatten(rest as Record<string, unknown>, enc).map(([k, v]) => `${k}=${v}`)
  return `  ${name.padEnd(12)} ${pairs.join(' ')}${crc === null ? '' : ` crc=${crcText(crc)}`}`
}

export async function printLayouts(out: Output, path: string, files: Iterable<DumpFile>, problems: Problems, enc: RecordEncodings): Promise<void> {
  const json = new JsonStream(out)
  if (out.format === 'json') await json.open({path}, 'files')
  let first = true
  for (const f of files) {
    if (out.closed) break
    const blocks = layoutBlocks(f, problems)
    if (out.format === 'json') {
      await json.item({file: f.path, name: f.name, kind: f.kind, size: f.bytes.length, blocks: [...blocks].map((b) => toJson(b, enc))})
    } else if (out.format === 'ndjson') {
      for (const b of blocks) await out.ndjson({file: f.path, name: f.name, ...(toJson(b, enc) as object)})
    } else {
      if (!first) await out.line('')
      await out.line(heading(out, f))
      if (out.format === 'table') {
        const rows = [...blocks].map((b) => blockCells(b, enc))
        await out.table(['BLOCK', 'OFFSET', 'SIZE', 'COMPRESSION', 'CRC', 'ENTRIES', 'FIRST KEY', 'LAST KEY'], rows, {align: ['left', 'right', 'right']})
      } else {
        for (const b of blocks) await out.line(blockText(b, enc))
      }
    }
    first = false
  }
  if (out.format === 'json') await json.close()
}

function rowJson(r: HexSection['rows'][number], maxBytes: number): Record<string, unknown> {
  const {hex, truncated} = hexBytes(r.bytes, r.size, maxBytes)
  return {
    offset: r.offset, ...(r.inflatedOffset === undefined ? {} : {inflatedOffset: r.inflatedOffset}), size: r.size, hex, truncated,
    field: r.field, value: r.value, ...(r.bad ? {bad: true} : {}),
  }
}

export async function printHex(out: Output, path: string, files: Iterable<DumpFile>, problems: Problems, o: {readonly enc: RecordEncodings; readonly maxBytes: number}): Promise<void> {
  const opts = {enc: o.enc, maxBytes: o.maxBytes, problems}
  const json = new JsonStream(out)
  if (out.format === 'json') await json.open({path}, 'files')
  const hexWidth = Math.min(o.maxBytes === 0 ? 16 : o.maxBytes, 16) * 3
  let firstFile = true
  for (const f of files) {
    if (out.closed) break
    if (out.format === 'json') {
      const sections = [...hexSections(f, opts)].map((s) => ({name: s.name, offset: s.offset, size: s.size, rows: s.rows.map((r) => rowJson(r, o.maxBytes))}))
      await json.item({file: f.path, name: f.name, kind: f.kind, size: f.bytes.length, sections})
      continue
    }
    if (out.format !== 'ndjson') {
      if (!firstFile) await out.line('')
      await out.line(heading(out, f))
    }
    firstFile = false
    for (const s of hexSections(f, opts)) {
      if (out.closed) break
      if (out.format === 'ndjson') {
        for (const r of s.rows) await out.ndjson({file: f.path, name: f.name, section: s.name, ...rowJson(r, o.maxBytes)})
        continue
      }
      await out.line(out.color.cyan(`-- ${s.name} [${s.offset}, ${s.offset + s.size}) --`))
      const cells = s.rows.map((r) => {
        const {hex, truncated} = hexBytes(r.bytes, r.size, o.maxBytes)
        const at = r.offset === null ? `z+${r.inflatedOffset}` : String(r.offset)
        const value = r.bad ? out.color.red(r.value) : r.value
        return [at, String(r.size), `${hex}${truncated ? ' …' : ''}`, r.field, value]
      })
      if (out.format === 'table') await out.table(['OFFSET', 'SIZE', 'BYTES', 'FIELD', 'VALUE'], cells, {align: ['right', 'right']})
      else for (const [at, , hex, field, value] of cells) await out.line(`${at.padStart(10)}  ${hex.padEnd(hexWidth)}  ${field} = ${value}`)
    }
  }
  if (out.format === 'json') await json.close()
}
