/**
 * Where `put` gets its value: the VALUE argument, `--file PATH`, or stdin
 * (VALUE "-", or no VALUE with stdin not a terminal). The value is written in
 * --value-encoding: utf8 takes the bytes as they are; hex and base64 decode the
 * text (a trailing newline from a file or stdin is ignored). Sizes are checked
 * before anything is read in full: a regular file over the limit is refused by
 * its size; stdin, a FIFO, a device or `<(cmd)` as soon as it passes the limit.
 */
import type {Readable} from 'node:stream'
import {ErrorCode, MAX_VALUE_BYTES} from '../../engine.js'
import {CliError} from '../oclif/cli-error.js'
import {decodeArgument} from './arguments.js'
import {decodeInput, type Encoding} from '../../codec/encoding.js'
import {openInputFile} from './input-file.js'
import {checkValueSize} from '../../codec/limits.js'

/** Input bytes that can decode to at most MAX_VALUE_BYTES, plus room for a trailing newline. */
function maxInputBytes(enc: Encoding): number {
  if (enc === 'hex') return MAX_VALUE_BYTES * 2 + 2
  if (enc === 'base64') return Math.ceil(MAX_VALUE_BYTES / 3) * 4 + 2
  return MAX_VALUE_BYTES
}

/** Refuses a regular file whose size alone shows its value is over the limit. */
function checkFileSize(size: number, enc: Encoding, file: string): void {
  if (enc === 'utf8') checkValueSize(size, `value in --file ${file}`)
  else if (size > maxInputBytes(enc)) {
    throw new CliError(ErrorCode.INVALID_ARGUMENT,
      `--file ${file} is ${size} bytes of ${enc}, which decodes to more than the limit of ${MAX_VALUE_BYTES} bytes (64 MiB)`)
  }
}

/** Reads `stream` fully, failing as soon as it passes `limit` bytes. */
async function readLimited(stream: Readable, limit: number, what: string): Promise<Buffer> {
  const parts: Buffer[] = []
  let size = 0
  for await (const chunk of stream) {
    const b = chunk as Buffer
    size += b.length
    if (size > limit) {
      stream.destroy()
      throw new CliError(ErrorCode.INVALID_ARGUMENT, `${what} is over the limit of ${MAX_VALUE_BYTES} bytes (64 MiB)`,
        'values are at most 64 MiB; store larger data in pieces under several keys')
    }
    parts.push(b)
  }
  return Buffer.concat(parts, size)
}

function decodeText(raw: Buffer, enc: Encoding, what: string): Buffer {
  if (enc === 'utf8') return raw
  return decodeInput(raw.toString('latin1').replace(/\r?\n$/, ''), enc, what)
}

/** Options for `readValue`. */
export interface ValueSource {
  /** The VALUE argument, if given ("-" means stdin). */
  readonly arg?: string
  /** --file PATH. */
  readonly file?: string
  readonly encoding: Encoding
  readonly stdin?: Readable & {isTTY?: boolean}
}

/** Reads and decodes the value; throws INVALID_ARGUMENT on conflicts, unreadable files, bad encoding or size. */
export async function readValue(src: ValueSource): Promise<Buffer> {
  const {arg, file, encoding} = src
  if (file !== undefined && arg !== undefined) {
    throw new CliError(ErrorCode.INVALID_ARGUMENT, 'give the value once: as the VALUE argument or with --file, not both')
  }
  let value: Buffer
  if (file !== undefined) {
    const what = `value in --file ${file}`
    const input = await openInputFile(file, `--file ${file}`)
    // A regular file is refused by its size before it is read; a pipe, FIFO
    // or device only while it is read (readLimited), before anything is written.
    if (input.size !== undefined) {
      try {
        checkFileSize(input.size, encoding, file)
      } catch (err) {
        await input.close()
        throw err
      }
    }
    const raw = await readLimited(input.stream(), maxInputBytes(encoding), what)
    value = decodeText(raw, encoding, what)
  } else if (arg === undefined || arg === '-') {
    const stdin = src.stdin ?? process.stdin
    if (stdin.isTTY) {
      throw new CliError(ErrorCode.INVALID_ARGUMENT, 'no value given', 'give VALUE as an argument, use --file PATH, or pipe it on stdin')
    }
    const raw = await readLimited(stdin, maxInputBytes(encoding), 'value on stdin')
    value = decodeText(raw, encoding, 'value on stdin')
  } else {
    value = decodeArgument(arg, encoding, 'value', '--value-encoding')
  }
  checkValueSize(value.length)
  return value
}
