/**
 * The strict hex and base64 checks of encoding.ts (one pass, no regex)
 * against the definition they implement: the language of a regex plus, for
 * base64, "decodes and encodes back to itself".
 */
import test from 'ava'
import fc from 'fast-check'
import {StrataError} from '../../src/index.js'
import {decodeInput, tryDecodeInput} from '../../src/cli/index.js'

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/

function base64ByDefinition(text: string): Buffer | undefined {
  if (!BASE64_RE.test(text)) return undefined
  const bytes = Buffer.from(text, 'base64')
  return bytes.toString('base64') === text ? bytes : undefined
}

/** Strings near base64 and hex: their alphabets, "=" and a few characters that are neither, including non-ASCII. */
const nearly = (alphabet: string): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...alphabet.split(''), '=', '-', '_', ' ', '\n', '\u0000', '\u00e9', '\u0130', '\u0141', '\u2028', '\ud83d'), {maxLength: 24}).map((a) => a.join(''))
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/** Compares `decode` with `definition` on every string it is given, counting both outcomes. */
class GrammarCheck {
  readonly wrong: string[] = []
  accepted = 0
  refused = 0

  constructor(
    private readonly decode: (text: string) => Buffer | undefined,
    private readonly definition: (text: string) => Buffer | undefined,
  ) {}

  check(text: string): void {
    const want = this.definition(text)
    const got = this.decode(text)
    if (want === undefined ? got !== undefined : got === undefined || !got.equals(want)) this.wrong.push(`${JSON.stringify(text)}: got ${got?.toString('hex')}, want ${want?.toString('hex')}`)
    if (want === undefined) this.refused++
    else this.accepted++
  }
}

test('base64: accepts exactly the strings that match the grammar and encode back to themselves', (t) => {
  const c = new GrammarCheck((text) => tryDecodeInput(text, 'base64'), base64ByDefinition)
  fc.assert(fc.property(nearly(B64), (s) => c.check(s)), {numRuns: 20_000})
  fc.assert(fc.property(fc.uint8Array({maxLength: 40}), (b) => c.check(Buffer.from(b).toString('base64'))), {numRuns: 2_000})
  const fixed = ['', 'AA==', 'AB==', 'AAA=', 'AAB=', 'AAAA', 'A===', '====', 'AA=A', '=AAA', 'AA', 'A', 'QQ==QQ==', 'TWFu', 'TWE=', 'TQ==', 'TR==', 'TWF=']
  for (const s of fixed) c.check(s)
  t.deepEqual(c.wrong, [])
  t.is(c.accepted + c.refused, 20_000 + 2_000 + fixed.length)
  // Both sides of the grammar were exercised: every encoding of random bytes is valid, and 'TR==' is not.
  t.true(c.accepted >= 2_000, `${c.accepted} valid strings checked`)
  t.true(c.refused >= 1, `${c.refused} invalid strings checked`)
})

test('hex: accepts exactly an even number of hex digits', (t) => {
  const c = new GrammarCheck((text) => tryDecodeInput(text, 'hex'), (text) => (HEX_RE.test(text) ? Buffer.from(text, 'hex') : undefined))
  fc.assert(fc.property(nearly('0123456789abcdefABCDEFgG'), (s) => c.check(s)), {numRuns: 20_000})
  // Characters whose code differs from a digit or a-f only in bit 0x20.
  const fixed = ['\u0010\u0011', '\u0041\u0046', '\u0021\u0026', 'AF', 'af', '0g', '\u0130\u0130', '']
  for (const s of fixed) c.check(s)
  t.deepEqual(c.wrong, [])
  t.is(c.accepted + c.refused, 20_000 + fixed.length)
  // Both sides were exercised: 'AF', 'af' and '' are valid, '0g' and '\u0010\u0011' are not.
  t.true(c.accepted >= 3, `${c.accepted} valid strings checked`)
  t.true(c.refused >= 2, `${c.refused} invalid strings checked`)
})

test('invalid input still gets the message that says what is wrong', (t) => {
  const msg = (text: string, enc: 'hex' | 'base64'): string => t.throws(() => decodeInput(text, enc, 'value'), {instanceOf: StrataError})!.message
  t.is(msg('TR==', 'base64'), 'value is not valid base64: nonzero padding bits in "TR=="')
  t.is(msg('TQ=', 'base64'), 'value is not valid base64: length 3 is not a multiple of 4 (missing or extra "=" padding) in "TQ="')
  t.is(msg('T_Q=', 'base64'), 'value is not valid base64: character "_" at position 1 in "T_Q="')
  t.is(msg('A=AA', 'base64'), 'value is not valid base64: misplaced "=" padding in "A=AA"')
  t.is(msg('0g', 'hex'), 'value is not valid hex: character "g" at position 1 of "0g"')
  t.is(msg('abc', 'hex'), 'value is not valid hex: odd number of digits (3) in "abc"')
})
