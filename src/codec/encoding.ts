/**
 * Byte-safe keys and values on the command line: `--key-encoding` and
 * `--value-encoding` (utf8 | hex | base64) say how bytes are written in
 * arguments and how they are printed.
 *
 * Input is parsed strictly: hex must have an even number of [0-9a-fA-F];
 * base64 must be the standard alphabet with correct padding and zero padding
 * bits (so that every accepted string decodes to exactly one byte string and
 * encodes back to itself).
 *
 * Text output under utf8 escapes so that one record is one line and nothing is
 * ambiguous: backslash → \\, newline → \n, tab → \t, carriage return → \r, any
 * other control byte (C0, DEL) and every byte that is not part of valid UTF-8
 * → \xNN. C1 control characters (U+0080..U+009F) are printed as the \xNN of
 * their two UTF-8 bytes.
 *
 * JSON output under utf8 emits the string itself when the bytes are valid
 * UTF-8, else the base64 of the bytes and says so in the record's
 * `keyEncoding`/`valueEncoding` field: every byte string round-trips.
 */
import {isUtf8} from 'node:buffer'
import {invalidArgument, type StrataError} from '../errors.js'

/** The byte encodings of the CLI. */
export const ENCODINGS = ['utf8', 'hex', 'base64'] as const
export type Encoding = (typeof ENCODINGS)[number]

const HEX = /^[0-9a-fA-F]*$/

const nativeIsWellFormed = (String.prototype as {isWellFormed?: (this: string) => boolean}).isWellFormed

/**
 * True if `text` has no lone UTF-16 surrogate. One (from a JSON "\\ud800"
 * escape) has no UTF-8 form: encoding would replace it with U+FFFD, so two
 * different inputs would become the same bytes.
 */
function isWellFormed(text: string): boolean {
  return nativeIsWellFormed !== undefined ? nativeIsWellFormed.call(text) : !/\p{Cs}/u.test(text)
}
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

function bad(message: string, hint?: string): StrataError {
  return invalidArgument(message, hint)
}

/** Short, printable excerpt of user input for error messages. */
function excerpt(text: string): string {
  const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text
  return JSON.stringify(shown)
}

/** Value of each base64 alphabet character by char code, -1 for every other code below 128. */
const BASE64_DIGIT = new Int8Array(128).fill(-1)
for (let i = 0; i < 64; i++) BASE64_DIGIT['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.charCodeAt(i)] = i
const PAD = 0x3d // '='

/**
 * True if `text` is strict base64 (see the file comment): the language of
 * BASE64 above, with the bits a padded last group leaves over all zero. One
 * pass without a regex: this runs for every value of a `put --batch` load.
 */
function isStrictBase64(text: string): boolean {
  const n = text.length
  if (n % 4 !== 0) return false
  if (n === 0) return true
  const pads = text.charCodeAt(n - 1) !== PAD ? 0 : text.charCodeAt(n - 2) === PAD ? 2 : 1
  const digits = n - pads
  for (let i = 0; i < digits; i++) {
    const c = text.charCodeAt(i)
    if (c >= 128 || BASE64_DIGIT[c] < 0) return false
  }
  // "xx==" encodes 1 byte: the second digit's low 4 bits are padding; "xxx=" 2 bytes: the third digit's low 2 bits.
  if (pads === 2) return (BASE64_DIGIT[text.charCodeAt(digits - 1)] & 0x0f) === 0
  if (pads === 1) return (BASE64_DIGIT[text.charCodeAt(digits - 1)] & 0x03) === 0
  return true
}

/** True if `text` is an even number of hex digits. */
function isStrictHex(text: string): boolean {
  const n = text.length
  if (n % 2 !== 0) return false
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i)
    const lower = c | 0x20 // A-F onto a-f; only A-F and a-f land in a-f
    if (!((c >= 0x30 && c <= 0x39) || (lower >= 0x61 && lower <= 0x66))) return false
  }
  return true
}

/**
 * Decodes `text` written in `enc`, or returns undefined if it is not valid in
 * `enc` (then `decodeInput` says why). For hot paths that name the input
 * only when it is bad.
 */
export function tryDecodeInput(text: string, enc: Encoding): Buffer | undefined {
  switch (enc) {
    case 'utf8':
      return isWellFormed(text) ? Buffer.from(text, 'utf8') : undefined
    case 'hex':
      return isStrictHex(text) ? Buffer.from(text, 'hex') : undefined
    case 'base64':
      return isStrictBase64(text) ? Buffer.from(text, 'base64') : undefined
  }
}

/**
 * Decodes `text` (an NDJSON field, or an argument via decodeArgument) written
 * in `enc`. `what` names it in errors ("key", "line 3: value").
 * Throws INVALID_ARGUMENT on malformed hex or base64, or under utf8 on a lone
 * surrogate.
 */
export function decodeInput(text: string, enc: Encoding, what: string): Buffer {
  const decoded = tryDecodeInput(text, enc)
  if (decoded !== undefined) return decoded
  // Invalid: find what is wrong, for the message.
  switch (enc) {
    case 'utf8': {
      const i = text.search(/\p{Cs}/u)
      throw bad(`${what} holds a lone UTF-16 surrogate (\\u${text.charCodeAt(i).toString(16)} at position ${i}), which UTF-8 cannot hold`,
        'write binary keys and values in hex or base64 ("encoding": "hex" in NDJSON, --key-encoding/--value-encoding on the command line)')
    }
    case 'hex': {
      if (!HEX.test(text)) {
        const i = text.search(/[^0-9a-fA-F]/)
        throw bad(`${what} is not valid hex: character ${JSON.stringify(text[i])} at position ${i} of ${excerpt(text)}`, 'hex uses the digits 0-9 and a-f, two per byte')
      }
      if (text.length % 2 !== 0) {
        throw bad(`${what} is not valid hex: odd number of digits (${text.length}) in ${excerpt(text)}`, 'hex uses two digits per byte')
      }
      return Buffer.from(text, 'hex')
    }
    case 'base64': {
      if (!BASE64.test(text)) {
        const i = text.search(/[^A-Za-z0-9+/=]/)
        const why = i >= 0
          ? `character ${JSON.stringify(text[i])} at position ${i}`
          : text.length % 4 !== 0 ? `length ${text.length} is not a multiple of 4 (missing or extra "=" padding)` : 'misplaced "=" padding'
        throw bad(`${what} is not valid base64: ${why} in ${excerpt(text)}`, 'use standard base64 (A-Z a-z 0-9 + /) with "=" padding')
      }
      const bytes = Buffer.from(text, 'base64')
      if (bytes.toString('base64') !== text) {
        throw bad(`${what} is not valid base64: nonzero padding bits in ${excerpt(text)}`, 'use standard base64 (A-Z a-z 0-9 + /) with "=" padding')
      }
      return bytes
    }
  }
}

/** Parses an encoding name (from NDJSON input); throws INVALID_ARGUMENT naming `what`. */
export function parseEncoding(name: unknown, what: string): Encoding {
  if (typeof name === 'string' && (ENCODINGS as readonly string[]).includes(name)) return name as Encoding
  throw bad(`${what} must be one of ${ENCODINGS.join(', ')}, not ${JSON.stringify(name)}`)
}

function hex2(b: number): string {
  return `\\x${b.toString(16).padStart(2, '0')}`
}

/** Length of the valid UTF-8 sequence starting at `i`, or 0 if the byte there does not start one. */
function utf8SequenceLength(b: Uint8Array, i: number): number {
  const c = b[i]
  const cont = (j: number, lo = 0x80, hi = 0xbf): boolean => j < b.length && b[j] >= lo && b[j] <= hi
  if (c < 0x80) return 1
  if (c >= 0xc2 && c <= 0xdf) return cont(i + 1) ? 2 : 0
  if (c === 0xe0) return cont(i + 1, 0xa0) && cont(i + 2) ? 3 : 0
  if (c === 0xed) return cont(i + 1, 0x80, 0x9f) && cont(i + 2) ? 3 : 0
  if (c >= 0xe1 && c <= 0xef) return cont(i + 1) && cont(i + 2) ? 3 : 0
  if (c === 0xf0) return cont(i + 1, 0x90) && cont(i + 2) && cont(i + 3) ? 4 : 0
  if (c >= 0xf1 && c <= 0xf3) return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0
  if (c === 0xf4) return cont(i + 1, 0x80, 0x8f) && cont(i + 2) && cont(i + 3) ? 4 : 0
  return 0
}

/** Escapes bytes for one-line text output (see the file comment). */
export function escapeText(bytes: Uint8Array): string {
  let plain = true
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]
    if (c < 0x20 || c >= 0x7f || c === 0x5c) {
      plain = false
      break
    }
  }
  if (plain) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')
  let out = ''
  let i = 0
  while (i < bytes.length) {
    const c = bytes[i]
    if (c < 0x80) {
      if (c === 0x5c) out += '\\\\'
      else if (c === 0x0a) out += '\\n'
      else if (c === 0x09) out += '\\t'
      else if (c === 0x0d) out += '\\r'
      else if (c < 0x20 || c === 0x7f) out += hex2(c)
      else out += String.fromCharCode(c)
      i++
      continue
    }
    const n = utf8SequenceLength(bytes, i)
    if (n === 0) {
      out += hex2(c)
      i++
    } else if (n === 2 && c === 0xc2 && bytes[i + 1] <= 0x9f) {
      out += hex2(c) + hex2(bytes[i + 1])
      i += 2
    } else {
      out += Buffer.from(bytes.subarray(i, i + n)).toString('utf8')
      i += n
    }
  }
  return out
}

/** Bytes as one line of text in `enc`. */
export function formatText(bytes: Uint8Array, enc: Encoding): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (enc === 'hex') return buf.toString('hex')
  if (enc === 'base64') return buf.toString('base64')
  return escapeText(buf)
}

/** A byte string as a JSON field: the string and the encoding it is actually in. */
export interface JsonBytes {
  readonly text: string
  readonly encoding: Encoding
}

/** Bytes for JSON output in `enc`; under utf8, bytes that are not valid UTF-8 fall back to base64. */
export function formatJson(bytes: Uint8Array, enc: Encoding): JsonBytes {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (enc === 'utf8' && !isUtf8(buf)) return {text: buf.toString('base64'), encoding: 'base64'}
  return {text: enc === 'utf8' ? buf.toString('utf8') : buf.toString(enc), encoding: enc}
}
