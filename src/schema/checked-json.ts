/**
 * The two-line checked text of the registry's files (version files and the
 * migration journal): a JSON object on one line, then "crc32 XXXXXXXX", the
 * CRC-32 of that line's bytes (formats/README.md, "Schema registry").
 */
import {crc32} from '../util/crc.js'

/** The bytes of `object` as checked JSON. */
export function encodeCheckedJson(object: object): Buffer {
  const body = Buffer.from(JSON.stringify(object), 'utf8')
  return Buffer.concat([body, Buffer.from(`\ncrc32 ${crc32(body).toString(16).padStart(8, '0')}\n`, 'latin1')])
}

/** The JSON object of checked-JSON bytes, its checksum checked, or a reason they are damaged. */
export function decodeCheckedJson(bytes: Buffer): {object: Record<string, unknown>} | {problem: string} {
  const nl = bytes.indexOf(0x0a)
  if (nl < 0) return {problem: 'no newline after the JSON line'}
  const tail = bytes.subarray(nl + 1).toString('latin1')
  const m = /^crc32 ([0-9a-f]{8})\n$/.exec(tail)
  if (!m) return {problem: `the checksum line at byte ${nl + 1} is not "crc32 XXXXXXXX"`}
  const body = bytes.subarray(0, nl)
  const actual = crc32(body)
  if (actual !== parseInt(m[1], 16)) return {problem: `checksum mismatch: the file says ${m[1]}, its JSON line has ${actual.toString(16).padStart(8, '0')}`}
  let object: unknown
  try {
    object = JSON.parse(body.toString('utf8'))
  } catch (err) {
    return {problem: `the JSON line does not parse: ${(err as Error).message}`}
  }
  if (object === null || typeof object !== 'object' || Array.isArray(object)) return {problem: 'the JSON line is not an object'}
  return {object: object as Record<string, unknown>}
}
