/**
 * Incremental line reader for NDJSON input: yields one line at a time from a
 * byte stream, so a file of a million lines is never held in memory at once.
 * Lines end at "\n" (a preceding "\r" is dropped); a last line without a
 * newline counts. Each line must be valid UTF-8 and at most `maxLineBytes`.
 */
import type {Readable} from 'node:stream'
import {ErrorCode} from '../engine.js'
import {CliError} from './cli-error.js'

/** One input line and its 1-based number. */
export interface Line {
  readonly number: number
  readonly text: string
}

const decoder = new TextDecoder('utf-8', {fatal: true})

function decodeLine(parts: Buffer[], number: number): Line {
  let bytes = parts.length === 1 ? parts[0] : Buffer.concat(parts)
  if (bytes.length > 0 && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, bytes.length - 1)
  try {
    return {number, text: decoder.decode(bytes)}
  } catch {
    throw new CliError(ErrorCode.INVALID_ARGUMENT, `line ${number}: not valid UTF-8`, 'NDJSON is UTF-8 text; give binary keys and values in hex or base64')
  }
}

/** Yields the lines of `stream` in order. Throws INVALID_ARGUMENT for an over-long or non-UTF-8 line. */
export async function* readLines(stream: AsyncIterable<Buffer | string> | Readable, maxLineBytes: number): AsyncGenerator<Line> {
  let parts: Buffer[] = []
  let pending = 0
  let number = 0
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    let start = 0
    for (let nl = buf.indexOf(0x0a, start); nl !== -1; nl = buf.indexOf(0x0a, start)) {
      parts.push(buf.subarray(start, nl))
      pending += nl - start
      number++
      if (pending > maxLineBytes) throw tooLong(number, maxLineBytes)
      yield decodeLine(parts, number)
      parts = []
      pending = 0
      start = nl + 1
    }
    if (start < buf.length) {
      parts.push(buf.subarray(start))
      pending += buf.length - start
      if (pending > maxLineBytes) throw tooLong(number + 1, maxLineBytes)
    }
  }
  if (pending > 0) yield decodeLine(parts, number + 1)
}

function tooLong(number: number, max: number): CliError {
  return new CliError(ErrorCode.INVALID_ARGUMENT, `line ${number}: longer than ${max} bytes`)
}
