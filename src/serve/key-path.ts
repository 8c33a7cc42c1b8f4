/**
 * Keys in request paths and query parameters. A key in a path
 * (`/kv/{key}`) is percent-encoded bytes: `%FF` is the byte 0xFF, any other
 * character stands for its UTF-8 bytes, so every binary key has a URL. With
 * `?key-encoding=hex|base64` the decoded text is itself hex or base64
 * (`/kv/00ff?key-encoding=hex`). Query parameters holding keys (`from`,
 * `start_key`, ...) are percent-decoded the same way, then decoded in the
 * request's key encoding.
 */
import {ENCODINGS, decodeInput, type Encoding} from '../codec/encoding.js'
import {checkKey} from '../codec/limits.js'
import {badRequest} from './http-error.js'

const HEX_DIGIT = /^[0-9a-fA-F]{2}$/

/** The bytes of percent-encoded `text`; 400 on a `%` not followed by two hex digits. */
export function percentDecode(text: string, what: string): Buffer {
  if (!text.includes('%')) return Buffer.from(text, 'utf8')
  const parts: Buffer[] = []
  let start = 0
  for (let i = text.indexOf('%'); i !== -1; i = text.indexOf('%', start)) {
    const hex = text.slice(i + 1, i + 3)
    if (!HEX_DIGIT.test(hex)) throw badRequest(`${what} has a malformed percent-encoding at position ${i}: ${JSON.stringify(text.slice(i, i + 3))}`, 'write each byte as % and two hex digits, e.g. %2F for "/"')
    parts.push(Buffer.from(text.slice(start, i), 'utf8'), Buffer.from(hex, 'hex'))
    start = i + 3
  }
  parts.push(Buffer.from(text.slice(start), 'utf8'))
  return Buffer.concat(parts)
}

/** An encoding parameter (`key-encoding`, `value-encoding`; default utf8); 400 on an unknown name. */
export function encodingParam(query: {get(name: string): string | undefined}, name: string): Encoding {
  const value = query.get(name)
  if (value === undefined) return 'utf8'
  if (!(ENCODINGS as readonly string[]).includes(value)) throw badRequest(`${name} ${JSON.stringify(value)} is not an encoding`, `use one of ${ENCODINGS.join(', ')}`)
  return value as Encoding
}

/** Bytes of a key given as (raw, still percent-encoded) text, checked as a key. */
export function keyFrom(raw: string, enc: Encoding, what: string): Buffer {
  const bytes = percentDecode(raw, what)
  const key = enc === 'utf8' ? bytes : decodeInput(bytes.toString('utf8'), enc, what)
  checkKey(key, what)
  return key
}

/** Bytes of a bound (a key, or empty for a prefix of nothing) from raw query text; undefined when absent. */
export function boundFrom(raw: string | undefined, enc: Encoding, what: string): Buffer | undefined {
  if (raw === undefined) return undefined
  const bytes = percentDecode(raw, what)
  return enc === 'utf8' ? bytes : decodeInput(bytes.toString('utf8'), enc, what)
}
