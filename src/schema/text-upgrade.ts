/**
 * A change list compiled to edits of a record's JSON text: the fast form of
 * compile.ts's upgrader for the common case, where every change names a
 * top-level field. The record's top-level members are tokenized
 * (json-members.ts), the changes edit that list (add appends a member, remove
 * drops one, rename moves a value, retype converts one value), and the list
 * is joined again. Only a retyped value is parsed.
 *
 * Contract: for every text, the result is byte-identical to parsing it,
 * applying compile.ts's upgrader and JSON.stringify-ing the value (the
 * property test in test/schema/text-upgrade.test.ts holds both paths to
 * that), or it is `undefined` and the caller takes that path. The members
 * model the parsed object exactly: json-members.ts admits only texts whose
 * object keeps its members in text order with no duplicates, and a change
 * list is compiled only when no field it names could break that (a dotted
 * path, an array-index name, "__proto__").
 */
import type {SchemaChange} from './format.js'
import {convertValue} from './convert.js'
import {ConversionFailure} from './compile.js'
import {isIndexKey, NOT_ASCII, quotedDigits, topLevelMembers, valueText, type Members} from './json-members.js'

/**
 * The upgraded text of `bytes` as UTF-8 bytes, its failure, or undefined:
 * they need the parsing path. Texts are decoded as latin1 first (faster, and
 * the same string for ASCII), as UTF-8 when a byte past ASCII shows; an
 * ASCII result is written to its buffer directly, without a UTF-8 encoder.
 */
export type TextUpgrader = (bytes: Buffer) => {bytes: Buffer} | {fail: ConversionFailure} | undefined

/** One change applied to the members: the failure, or undefined. */
type TextStep = (m: Members) => ConversionFailure | undefined

/** `changes` compiled to text edits, or undefined when some change is beyond them (see the file comment). */
export function compileTextChanges(changes: readonly SchemaChange[]): TextUpgrader | undefined {
  const steps: TextStep[] = []
  for (const c of changes) {
    const s = textStep(c)
    if (s === undefined) return undefined
    steps.push(s)
  }
  // Whether every text a step adds is ASCII (retype's results always are): then an ASCII record upgrades to ASCII.
  const addsAscii = changes.every((c) => isAsciiText(JSON.stringify(c)))
  return (bytes) => {
    let ascii = true
    let m = topLevelMembers(bytes.toString('latin1'), true)
    if (m === NOT_ASCII) {
      ascii = false
      m = topLevelMembers(bytes.toString('utf8'))
    }
    if (m === undefined || m === NOT_ASCII) return undefined
    for (let i = 0; i < steps.length; i++) {
      const f = steps[i](m)
      if (f !== undefined) return {fail: f}
    }
    return {bytes: ascii && addsAscii ? asciiBytes(m, bytes) : Buffer.from(joinMembers(m), 'utf8')}
  }
}

/** Whether `field` names a top-level member the members list models exactly. */
function plainField(field: string): boolean {
  return !field.includes('.') && !isIndexKey(JSON.stringify(field)) && field !== '__proto__'
}

function textStep(c: SchemaChange): TextStep | undefined {
  switch (c.op) {
    case 'add': {
      if (!plainField(c.field)) return undefined
      if (!('default' in c)) return () => undefined
      const key = JSON.stringify(c.field)
      const value = JSON.stringify(c.default)
      return (m) => {
        if (!m.keys.includes(key)) append(m, key, value)
        return undefined
      }
    }
    case 'remove': {
      if (!plainField(c.field)) return undefined
      const key = JSON.stringify(c.field)
      return (m) => {
        const i = m.keys.indexOf(key)
        if (i >= 0) drop(m, i)
        return undefined
      }
    }
    case 'rename': {
      if (!plainField(c.from) || !plainField(c.to)) return undefined
      const from = JSON.stringify(c.from)
      const to = JSON.stringify(c.to)
      return (m) => {
        const i = m.keys.indexOf(from)
        if (i < 0) return undefined
        const value = valueText(m, i)
        drop(m, i)
        // Assigning an existing member keeps its place; a new one goes last.
        const j = m.keys.indexOf(to)
        if (j >= 0) m.values[j] = value
        else append(m, to, value)
        return undefined
      }
    }
    case 'retype': {
      if (!plainField(c.field)) return undefined
      const {field, to} = c
      const key = JSON.stringify(field)
      // A string of plain digits becomes those digits, as the conversion below would make them.
      const toDigits = to === 'integer' || to === 'number'
      return (m) => {
        const i = m.keys.indexOf(key)
        if (i < 0) return undefined
        const digits = toDigits ? quotedDigits(m, i) : undefined
        if (digits !== undefined) {
          m.values[i] = digits
          return undefined
        }
        const v = valueOf(valueText(m, i))
        const r = convertValue(v, to)
        if ('fail' in r) return new ConversionFailure(field, r.fail)
        if (r.value !== v) m.values[i] = typeof r.value === 'number' ? String(r.value) : JSON.stringify(r.value)
        return undefined
      }
    }
  }
}

/**
 * The value of a member's raw (canonical) text: a string without escapes and
 * a plain integer are read directly, the rest parsed. (A converted number is
 * finite, so String gives what JSON.stringify would.)
 */
function valueOf(raw: string): unknown {
  const c = raw.charCodeAt(0)
  if (c === 0x22 && !raw.includes('\\')) return raw.slice(1, -1)
  if (c >= 0x30 && c <= 0x39 && raw.length <= 15 && /^\d+$/.test(raw)) return Number(raw)
  return JSON.parse(raw)
}

function append(m: Members, key: string, value: string): void {
  m.keys.push(key)
  m.starts.push(0)
  m.ends.push(0)
  m.values.push(value)
}

/** Drops member i: its key becomes '', which no quoted key equals and the join skips. */
function drop(m: Members, i: number): void {
  m.keys[i] = ''
}

function isAsciiText(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false
  return true
}

/**
 * The joined members, every one ASCII, as bytes (one byte per character):
 * values not edited are copied from `source`, the bytes the latin1 text was
 * decoded from (so offsets in the text are offsets in the bytes).
 */
function asciiBytes(m: Members, source: Buffer): Buffer {
  let n = 1
  for (let i = 0; i < m.keys.length; i++) {
    if (m.keys[i] === '') continue
    const v = m.values[i]
    n += m.keys[i].length + (v === null ? m.ends[i] - m.starts[i] : v.length) + 2
  }
  const out = Buffer.allocUnsafe(Math.max(n, 2))
  let p = 0
  out[p++] = 0x7b
  for (let i = 0; i < m.keys.length; i++) {
    const k = m.keys[i]
    if (k === '') continue
    if (p > 1) out[p++] = 0x2c
    for (let j = 0; j < k.length; j++) out[p++] = k.charCodeAt(j)
    out[p++] = 0x3a
    const v = m.values[i]
    if (v === null) for (let j = m.starts[i], e = m.ends[i]; j < e; j++) out[p++] = source[j]
    else for (let j = 0; j < v.length; j++) out[p++] = v.charCodeAt(j)
  }
  out[p++] = 0x7d
  return p === out.length ? out : out.subarray(0, p)
}

function joinMembers(m: Members): string {
  let s = '{'
  let first = true
  for (let i = 0; i < m.keys.length; i++) {
    if (m.keys[i] === '') continue
    s += (first ? '' : ',') + m.keys[i] + ':' + valueText(m, i)
    first = false
  }
  return s + '}'
}
