/**
 * Byte positions of decoded fields, and where a failed parse stopped.
 *
 * The parsers are generated in Kaitai debug mode: every object has a
 * `_debug` map recording, for each field, the stream position where it
 * starts and ends and the byte offset (`ioOffset`) of that stream in the
 * underlying ArrayBuffer. A substream cut from the file shares the file's
 * ArrayBuffer, so `ioOffset + start - fileStream.byteOffset` is a file
 * offset; a zlib-inflated block has a buffer of its own, so positions in it
 * are only meaningful inside the inflated contents.
 *
 * @internal
 */
import kaitai from 'kaitai-struct'

/** The runtime's class. Its bundled declarations do not match its CommonJS export, hence the cast. */
export const KaitaiStream = kaitai.KaitaiStream as unknown as typeof import('kaitai-struct/KaitaiStream.js').default
export type KaitaiStream = InstanceType<typeof KaitaiStream>

/** One `_debug` record. */
interface DebugSpan {
  readonly start: number
  readonly end?: number
  readonly ioOffset: number
  readonly arr?: readonly DebugSpan[]
  readonly validationError?: unknown
}

/** Any object a generated parser builds. */
export interface KaitaiNode {
  readonly _io: KaitaiStream
  readonly _debug?: {readonly [field: string]: DebugSpan}
}

function isNode(v: unknown): v is KaitaiNode {
  return typeof v === 'object' && v !== null && '_io' in v && '_debug' in v
}

/** A stream over exactly `buf`'s bytes (never `buf.buffer`, which a small Buffer shares with others). */
export function streamOf(buf: Buffer): KaitaiStream {
  return new KaitaiStream(new DataView(buf.buffer, buf.byteOffset, buf.byteLength) as DataView<ArrayBuffer>)
}

/** lowerCamel (as the generated code names fields) → snake_case (as the specs do). */
export function snake(name: string): string {
  return name.replace(/^_m_/, '').replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
}

/** snake_case or lowerCamel field name → the key the generated code uses in `_debug`. */
function debugKey(node: KaitaiNode, field: string): string | undefined {
  const camel = field.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())
  for (const k of [field, camel, `_m_${camel}`]) if (node._debug?.[k] !== undefined) return k
  return undefined
}

/**
 * The file offsets [offset, end) of `field` of `node`, where `file` is the
 * parsed file's root object; `index` selects one element of a repeated
 * field. Undefined when the field has not been read, or when it lies
 * inside an inflated block (its bytes are not in the file as such).
 */
export function fieldSpan(file: KaitaiNode, node: KaitaiNode, field: string, index?: number): {offset: number; end: number} | undefined {
  const key = debugKey(node, field)
  if (key === undefined) return undefined
  let span = node._debug![key]
  if (index !== undefined) {
    const el = span.arr?.[index]
    if (el === undefined) return undefined
    span = el
  }
  // Fields of an object in an inflated block are positions in the inflated bytes, not in the file.
  if (span.end === undefined || node._io.dataView.buffer !== file._io.dataView.buffer) return undefined
  const base = span.ioOffset - file._io.byteOffset
  return {offset: base + span.start, end: base + span.end}
}

/** Where a parse failed: the field path, its file offset and, inside an inflated block, the position there. */
export interface FailurePoint {
  /** Field path in spec names, e.g. `records[3].payload.entries[0].key_len`. */
  readonly path: string
  /** File offset of the failing field, or of the inflated block that holds it. */
  readonly offset?: number
  /** Position inside the inflated block contents, when the failure is inside one. */
  readonly inflatedAt?: number
}

interface Candidate extends FailurePoint {
  readonly depth: number
}

/**
 * Finds the field a parse failed in: the deepest `_debug` record that was
 * started but not finished, or that holds a validation error. `file` is
 * the root object of the failed parse.
 */
export function failurePoint(file: KaitaiNode): FailurePoint | undefined {
  const rootBuffer = file._io.dataView.buffer
  const rootOffset = file._io.byteOffset
  let best: Candidate | undefined
  const seen = new Set<KaitaiNode>()
  // Depths grow strictly from a span to the object read in it, so the innermost failure wins;
  // among equal depths the later one (read after) wins.
  const visit = (node: KaitaiNode, path: string, depth: number, inflatedFrom: number | undefined): void => {
    if (seen.has(node) || node._debug === undefined) return
    seen.add(node)
    const inRoot = node._io.dataView.buffer === rootBuffer
    const fileOffset = (span: DebugSpan): number | undefined => (inRoot ? span.ioOffset - rootOffset + span.start : inflatedFrom)
    const consider = (p: string, span: DebugSpan, d: number): void => {
      if (span.validationError === undefined && span.end !== undefined) return
      if (best !== undefined && d < best.depth) return
      best = inRoot ? {path: p, depth: d, offset: fileOffset(span)} : {path: p, depth: d, offset: inflatedFrom, inflatedAt: span.start}
    }
    for (const [key, span] of Object.entries(node._debug)) {
      if (span.start === undefined) continue // a value instance: computed, not read
      const p = `${path}${path === '' ? '' : '.'}${snake(key)}`
      const value = (node as unknown as Record<string, unknown>)[key]
      consider(p, span, depth + 1)
      if (span.arr !== undefined) {
        span.arr.forEach((el, i) => {
          consider(`${p}[${i}]`, el, depth + 2)
          const child = Array.isArray(value) ? value[i] : undefined
          if (isNode(child)) visit(child, `${p}[${i}]`, depth + 2, fileOffset(el))
        })
      } else if (isNode(value)) {
        visit(value, p, depth + 1, fileOffset(span))
      }
    }
  }
  visit(file, '', 0, undefined)
  if (best === undefined) return undefined
  const {depth: _depth, ...point} = best
  return point
}
