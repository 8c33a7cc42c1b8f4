/**
 * Incremental line reader for NDJSON input: yields lines from a byte stream,
 * so a file of a million lines is never held in memory at once.
 * Lines end at "\n" (a preceding "\r" is dropped); a last line without a
 * newline counts. Each line must be valid UTF-8 and at most `maxLineBytes`;
 * a UTF-8 byte order mark at the start of a line is dropped.
 *
 * Errors come in line order: every line before a bad one is yielded first,
 * so a consumer has done all its work on them when the error reaches it.
 */
import {isUtf8} from 'node:buffer'
import type {Readable} from 'node:stream'
import {invalidArgument, type StrataError} from '../errors.js'

/** One input line and its 1-based number. */
export interface Line {
  readonly number: number
  readonly text: string
}

const decoder = new TextDecoder('utf-8', {fatal: true})
const BOM = '\ufeff'

function decodeLine(parts: Buffer[], number: number): Line {
  let bytes = parts.length === 1 ? parts[0] : Buffer.concat(parts)
  if (bytes.length > 0 && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, bytes.length - 1)
  try {
    // decode() drops a leading byte order mark (ignoreBOM is false).
    return {number, text: decoder.decode(bytes)}
  } catch {
    throw invalidArgument(`line ${number}: not valid UTF-8`, 'NDJSON is UTF-8 text; give binary keys and values in hex or base64')
  }
}

/**
 * Appends the lines wholly inside buf[from, to) (`to` is just past the last
 * line's "\n") to `out`, numbered from `number`. One UTF-8 check and one
 * decode for all of them; line by line only when some line is bad, to name it.
 */
function decodeRun(buf: Buffer, from: number, to: number, number: number, out: Line[]): void {
  if (!isUtf8(buf.subarray(from, to))) {
    for (let start = from, nl = buf.indexOf(0x0a, start); nl !== -1 && nl < to; start = nl + 1, nl = buf.indexOf(0x0a, start)) {
      out.push(decodeLine([buf.subarray(start, nl)], number++))
    }
    return
  }
  // Splitting at "\n" is safe: in UTF-8 that byte is never part of another character.
  const texts = buf.toString('utf8', from, to - 1).split('\n')
  for (let text of texts) {
    if (text.length > 0) {
      if (text.charCodeAt(text.length - 1) === 0x0d) text = text.slice(0, -1)
      if (text.startsWith(BOM)) text = text.slice(1)
    }
    out.push({number: number++, text})
  }
}

/**
 * Yields the lines of `stream` in order, in arrays (the lines that end in one
 * chunk of the stream). Throws INVALID_ARGUMENT for an over-long or non-UTF-8
 * line, after yielding the lines before it.
 */
export async function* readLineBatches(stream: AsyncIterable<Buffer | string> | Readable, maxLineBytes: number): AsyncGenerator<Line[]> {
  let parts: Buffer[] = []
  let pending = 0
  let number = 0
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    const lines: Line[] = []
    try {
      let start = 0
      let nl = buf.indexOf(0x0a)
      if (nl !== -1 && parts.length > 0) {
        // The end of a line begun in an earlier chunk.
        parts.push(buf.subarray(0, nl))
        pending += nl
        number++
        if (pending > maxLineBytes) throw tooLong(number, maxLineBytes)
        lines.push(decodeLine(parts, number))
        parts = []
        pending = 0
        start = nl + 1
        nl = buf.indexOf(0x0a, start)
      }
      const runStart = start
      let runLines = 0
      for (; nl !== -1; nl = buf.indexOf(0x0a, start)) {
        if (nl - start > maxLineBytes) {
          if (runLines > 0) decodeRun(buf, runStart, start, number + 1, lines)
          throw tooLong(number + runLines + 1, maxLineBytes)
        }
        runLines++
        start = nl + 1
      }
      if (runLines > 0) decodeRun(buf, runStart, start, number + 1, lines)
      number += runLines
      if (start < buf.length) {
        parts.push(buf.subarray(start))
        pending += buf.length - start
        if (pending > maxLineBytes) throw tooLong(number + 1, maxLineBytes)
      }
    } catch (err) {
      if (lines.length > 0) yield lines
      throw err
    }
    if (lines.length > 0) yield lines
  }
  if (pending > 0) yield [decodeLine(parts, number + 1)]
}

/** Yields the lines of `stream` in order. Throws INVALID_ARGUMENT for an over-long or non-UTF-8 line. */
export async function* readLines(stream: AsyncIterable<Buffer | string> | Readable, maxLineBytes: number): AsyncGenerator<Line> {
  for await (const lines of readLineBatches(stream, maxLineBytes)) yield* lines
}

function tooLong(number: number, max: number): StrataError {
  return invalidArgument(`line ${number}: longer than ${max} bytes`)
}
