/**
 * The top-level members of a JSON object text, for upgrading a record by
 * editing its text (text-upgrade.ts) instead of parsing and re-serialising it.
 *
 * Contract: `topLevelMembers(text)` returns the members only when the text is
 * exactly what `JSON.stringify(JSON.parse(text))` gives back, and when an
 * object holding its members in text order is what JSON.parse builds. Then
 * editing member spans and joining them is byte-identical to editing the
 * parsed value and stringifying it. Anything it cannot prove returns
 * undefined, and the caller parses instead. Refused, so:
 *   - whitespace outside strings (stringify writes none);
 *   - a string escape other than \" \\ \b \f \n \r \t (stringify writes "/"
 *     and most characters literally, and \u escapes in lowercase only for
 *     control characters: rather than check which, every \u is refused);
 *   - a number that does not read back as itself (1.0, 1e5, -0, 01, huge
 *     integers): the test is String(Number(t)) === t, JavaScript's own form;
 *   - in any object: a repeated key (parse keeps the last value at the first
 *     place) or an array-index key such as "0" or "42" (objects list those
 *     first, whatever the text order);
 *   - nesting deeper than MAX_DEPTH, and anything that is not JSON.
 * Strings are scanned as JavaScript strings (UTF-16), so the caller decodes
 * the bytes first, as JSON.parse's caller does.
 */

/**
 * The members of a top-level object, in text order: each key's raw text,
 * quoted, and its value's raw text: text[starts[i], ends[i]) until an edit
 * sets values[i] (null before). In a text this admits, a key has one raw
 * form only (JSON.stringify's), so raw texts compare as keys do.
 */
export interface Members {
  readonly text: string
  readonly keys: string[]
  readonly starts: number[]
  readonly ends: number[]
  readonly values: Array<string | null>
}

/**
 * The digits of member i's value when it is a string of 1 to 15 decimal
 * digits without a leading zero (as "85"), not edited; else undefined. Such a
 * string reads as an integer whose JavaScript form is those very digits.
 */
export function quotedDigits(m: Members, i: number): string | undefined {
  if (m.values[i] !== null) return undefined
  const s = m.starts[i]
  const e = m.ends[i]
  const t = m.text
  if (e - s < 3 || e - s > 17 || t.charCodeAt(s) !== 0x22 || (t.charCodeAt(s + 1) === 0x30 && e - s > 3)) return undefined
  for (let j = s + 1; j < e - 1; j++) {
    const c = t.charCodeAt(j)
    if (c < 0x30 || c > 0x39) return undefined
  }
  return t.slice(s + 1, e - 1)
}

/** Member i's value text. */
export function valueText(m: Members, i: number): string {
  return m.values[i] ?? m.text.slice(m.starts[i], m.ends[i])
}

const MAX_DEPTH = 32
const QUOTE = 0x22
const BACKSLASH = 0x5c
const FAIL = -1
/** A scan of a latin1-decoded text met a byte past ASCII: decode as UTF-8 and scan again. */
const HIGH = -2

/** What topLevelMembers answers for a latin1-decoded text that is not all ASCII. */
export const NOT_ASCII = 'not-ascii'

/** Whether the text being scanned was decoded as latin1 (so a byte past ASCII must stop the scan). */
let latin1 = false

/**
 * See the file comment: the members of `text`, or undefined when it is not
 * provably canonical. `asLatin1`: the text is bytes decoded as latin1, which
 * is their UTF-8 decoding only when they are all ASCII: a byte past ASCII
 * answers NOT_ASCII (the caller decodes as UTF-8 and asks again).
 */
export function topLevelMembers(text: string, asLatin1 = false): Members | undefined | typeof NOT_ASCII {
  latin1 = asLatin1
  const n = text.length
  if (n < 2 || text.charCodeAt(0) !== 0x7b || text.charCodeAt(n - 1) !== 0x7d) return undefined
  const m: Members = {text, keys: [], starts: [], ends: [], values: []}
  if (n === 2) return m
  let p = 1
  for (;;) {
    const ke = scanString(text, p)
    if (ke < 0) return ke === HIGH ? NOT_ASCII : undefined
    const key = text.slice(p, ke)
    if (isIndexKey(key) || m.keys.includes(key)) return undefined
    if (text.charCodeAt(ke) !== 0x3a) return undefined
    const ve = scanValue(text, ke + 1, 1)
    if (ve < 0) return ve === HIGH ? NOT_ASCII : undefined
    m.keys.push(key)
    m.starts.push(ke + 1)
    m.ends.push(ve)
    m.values.push(null)
    const c = text.charCodeAt(ve)
    if (c === 0x7d) return ve === n - 1 ? m : undefined
    if (c !== 0x2c) return undefined
    p = ve + 1
  }
}

/**
 * Whether the raw (quoted) key `key` names an array index, which an object
 * lists before its other keys whatever the text order. Any run of digits
 * counts, so some that are not indexes (past 2^32 - 2) are refused too.
 */
export function isIndexKey(key: string): boolean {
  const c = key.charCodeAt(1)
  if (c < 0x30 || c > 0x39) return false
  return /^"(0|[1-9]\d*)"$/.test(key)
}

/** End of the canonical string starting at `p` (a quote), or FAIL. */
function scanString(text: string, p: number): number {
  if (text.charCodeAt(p) !== QUOTE) return FAIL
  const n = text.length
  for (let i = p + 1; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c === QUOTE) return i + 1
    if (c < 0x20) return FAIL
    if (c >= 0x80 && latin1) return HIGH
    if (c === BACKSLASH) {
      const d = text.charCodeAt(++i)
      // " \ b f n r t: the short escapes stringify writes.
      if (d !== QUOTE && d !== BACKSLASH && d !== 0x62 && d !== 0x66 && d !== 0x6e && d !== 0x72 && d !== 0x74) return FAIL
    }
  }
  return FAIL
}

/** End of the canonical value starting at `p`, or FAIL. */
function scanValue(text: string, p: number, depth: number): number {
  const c = text.charCodeAt(p)
  if (c === QUOTE) return scanString(text, p)
  if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return scanNumber(text, p)
  if (c === 0x74) return text.startsWith('true', p) ? p + 4 : FAIL
  if (c === 0x66) return text.startsWith('false', p) ? p + 5 : FAIL
  if (c === 0x6e) return text.startsWith('null', p) ? p + 4 : FAIL
  if (depth >= MAX_DEPTH) return FAIL
  if (c === 0x7b) return scanObject(text, p, depth + 1)
  if (c === 0x5b) return scanArray(text, p, depth + 1)
  return FAIL
}

function scanNumber(text: string, p: number): number {
  let i = p
  let plain = true
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c >= 0x30 && c <= 0x39) continue
    if (c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45) {
      plain = false
      continue
    }
    break
  }
  const len = i - p
  // Digits only, no leading zero, exact as a double: already JavaScript's form.
  if (plain && len <= 15 && (len === 1 || text.charCodeAt(p) !== 0x30)) return i
  const t = text.slice(p, i)
  return String(Number(t)) === t ? i : FAIL
}

function scanObject(text: string, p: number, depth: number): number {
  if (text.charCodeAt(p + 1) === 0x7d) return p + 2
  const keys: string[] = []
  let i = p + 1
  for (;;) {
    const ke = scanString(text, i)
    if (ke < 0) return ke
    const key = text.slice(i, ke)
    if (isIndexKey(key) || keys.includes(key)) return FAIL
    keys.push(key)
    if (text.charCodeAt(ke) !== 0x3a) return FAIL
    const ve = scanValue(text, ke + 1, depth)
    if (ve < 0) return ve
    const c = text.charCodeAt(ve)
    if (c === 0x7d) return ve + 1
    if (c !== 0x2c) return FAIL
    i = ve + 1
  }
}

function scanArray(text: string, p: number, depth: number): number {
  if (text.charCodeAt(p + 1) === 0x5d) return p + 2
  let i = p + 1
  for (;;) {
    const ve = scanValue(text, i, depth)
    if (ve < 0) return ve
    const c = text.charCodeAt(ve)
    if (c === 0x5d) return ve + 1
    if (c !== 0x2c) return FAIL
    i = ve + 1
  }
}
