/**
 * readLines / readLineBatches (whole runs of lines checked and decoded at
 * once) against a line-at-a-time reference reader: same lines, same numbers,
 * same error at the same point, however the input is cut into chunks.
 */
import test from 'ava'
import fc from 'fast-check'
import {Readable} from 'node:stream'
import {readLineBatches, readLines} from '../../src/cli/index.js'

/** The reference: one line at a time, each decoded on its own by a fatal TextDecoder (which drops a leading BOM). */
function referenceLines(input: Buffer, max: number): {lines: Array<{number: number; text: string}>; error?: string} {
  const decoder = new TextDecoder('utf-8', {fatal: true})
  const lines: Array<{number: number; text: string}> = []
  let start = 0
  let number = 0
  for (;;) {
    const nl = input.indexOf(0x0a, start)
    const end = nl === -1 ? input.length : nl
    if (nl === -1 && end === start) return {lines}
    number++
    if (end - start > max) return {lines, error: `line ${number}: longer than ${max} bytes`}
    let bytes = input.subarray(start, end)
    if (bytes.length > 0 && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, -1)
    try {
      lines.push({number, text: decoder.decode(bytes)})
    } catch {
      return {lines, error: `line ${number}: not valid UTF-8`}
    }
    if (nl === -1) return {lines}
    start = nl + 1
  }
}

async function actualLines(chunks: Buffer[], max: number): Promise<{lines: Array<{number: number; text: string}>; error?: string}> {
  const lines: Array<{number: number; text: string}> = []
  try {
    for await (const l of readLines(Readable.from(chunks), max)) lines.push({...l})
  } catch (err) {
    return {lines, error: (err as Error).message}
  }
  return {lines}
}

const pieces = ['{"k":"v"}', 'abc', 'é', '€', '😀', '\r', '\n', '\n', '\n', '\ufeff', '', ' ']
const badBytes = [Buffer.from([0xff]), Buffer.from([0xc3]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xe2, 0x82])]
const inputArb = fc.array(fc.oneof(
  {weight: 8, arbitrary: fc.constantFrom(...pieces).map((p) => Buffer.from(p))},
  {weight: 1, arbitrary: fc.constantFrom(...badBytes)},
), {maxLength: 60}).map((a) => Buffer.concat(a))

function cut(input: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b)
  const out: Buffer[] = []
  let prev = 0
  for (const c of [...at, input.length]) {
    out.push(input.subarray(prev, c))
    prev = c
  }
  return out.filter((b) => b.length > 0)
}

test('same lines, numbers and errors as a line-at-a-time reader, for any chunking', async (t) => {
  await fc.assert(fc.asyncProperty(inputArb, fc.array(fc.nat(), {maxLength: 8}), fc.constantFrom(4, 8, 1000), async (input, cuts, max) => {
    const want = referenceLines(input, max)
    const got = await actualLines(cut(input, cuts), max)
    t.deepEqual(got, want, `input ${JSON.stringify(input.toString('latin1'))}`)
  }), {numRuns: 3000})
})

test('a bad line in a chunk comes after every good line before it', async (t) => {
  const batches: number[][] = []
  const e = await t.throwsAsync(async () => {
    for await (const b of readLineBatches(Readable.from([Buffer.from('a\nb\n\xff\nc\n', 'latin1')]), 100)) batches.push(b.map((l) => l.number))
  })
  t.is(e!.message, 'line 3: not valid UTF-8')
  t.deepEqual(batches, [[1, 2]])
  const long: number[][] = []
  const e2 = await t.throwsAsync(async () => {
    for await (const b of readLineBatches(Readable.from([Buffer.from('a\nb\nxxxxxxxx\nc\n')]), 4)) long.push(b.map((l) => l.number))
  })
  t.is(e2!.message, 'line 3: longer than 4 bytes')
  t.deepEqual(long, [[1, 2]])
})

test('a byte order mark is dropped at the start of each line only', async (t) => {
  const got = await actualLines([Buffer.from('\ufeff{"a":1}\r\n{"b":"\ufeff"}\n\ufeff\n')], 100)
  t.deepEqual(got.lines.map((l) => l.text), ['{"a":1}', '{"b":"\ufeff"}', ''])
})
