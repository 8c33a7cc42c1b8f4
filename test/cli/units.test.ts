/** Unit tests of the CLI helpers (src/cli), run in-process. */
import test from 'ava'
import {Readable} from 'node:stream'
import {ErrorCode, StrataError} from '../../src/index.js'
import {
  CliError, EXIT_CODES, decodeInput, escapeText, exitCodeFor, formatDuration, formatJson, formatText, loadBatch,
  parseBatchLine, parseDuration, parseSize, readLines, reportError,
} from '../../src/cli/index.js'
import type {BatchOp} from '../../src/index.js'

test('exit code table maps every engine code', (t) => {
  for (const code of Object.values(ErrorCode)) t.true(code in EXIT_CODES, code)
  t.is(exitCodeFor('NOT_FOUND'), 1)
  t.is(exitCodeFor('INVALID_ARGUMENT'), 2)
  t.is(exitCodeFor('NOT_A_STORE'), 2)
  t.is(exitCodeFor('ALREADY_EXISTS'), 2)
  t.is(exitCodeFor('USAGE'), 2)
  t.is(exitCodeFor('CORRUPTION'), 3)
  t.is(exitCodeFor('BUSY'), 4)
  t.is(exitCodeFor('IO'), 5)
  t.is(exitCodeFor('UNSUPPORTED'), 5)
  t.is(exitCodeFor('CLOSED'), 5)
  t.is(exitCodeFor('INTERNAL'), 5)
  t.is(exitCodeFor('SOMETHING_NEW'), 5)
})

test('reportError gives one line with code, hint and exit code', (t) => {
  const r = reportError(new StrataError(ErrorCode.CORRUPTION, 'bad\nthing', {file: 'f', offset: 7, hint: 'run verify'}))
  t.deepEqual(r, {code: 'CORRUPTION', message: 'bad; thing', hint: 'run verify', exitCode: 3, file: 'f', offset: 7})
  t.like(reportError(new TypeError('x is undefined')), {code: 'INTERNAL', exitCode: 5})
  t.like(reportError(Object.assign(new Error('EIO: i/o error, read'), {code: 'EIO', syscall: 'read'})), {code: 'IO', exitCode: 5})
  t.like(reportError(new CliError('USAGE', 'nope')), {code: 'USAGE', hint: null, exitCode: 2})
})

test('hex input is strict', (t) => {
  t.deepEqual(decodeInput('00fFaa', 'hex', 'key'), Buffer.from([0, 255, 170]))
  t.deepEqual(decodeInput('', 'hex', 'key'), Buffer.alloc(0))
  for (const bad of ['0', 'abc', 'zz', '0x00', '00 ff']) {
    const e = t.throws(() => decodeInput(bad, 'hex', 'key'))
    t.is((e as StrataError).code, 'INVALID_ARGUMENT', bad)
  }
})

test('base64 input is strict', (t) => {
  t.deepEqual(decodeInput('AP8=', 'base64', 'v'), Buffer.from([0, 255]))
  t.deepEqual(decodeInput('AAECAw==', 'base64', 'v'), Buffer.from([0, 1, 2, 3]))
  for (const bad of ['AP8', 'A', 'AP8==', '=AP8', 'AP-_', 'A P8=', 'AQ=A', 'AR==']) {
    const e = t.throws(() => decodeInput(bad, 'base64', 'v'))
    t.is((e as StrataError).code, 'INVALID_ARGUMENT', bad)
  }
})

test('text output escapes controls, backslash and invalid UTF-8', (t) => {
  t.is(escapeText(Buffer.from('plain text')), 'plain text')
  t.is(escapeText(Buffer.from('a\nb\tc\rd\\e')), 'a\\nb\\tc\\rd\\\\e')
  t.is(escapeText(Buffer.from([0x00, 0x1b, 0x7f])), '\\x00\\x1b\\x7f')
  t.is(escapeText(Buffer.from('héllo ✓ 😀')), 'héllo ✓ 😀')
  t.is(escapeText(Buffer.from([0xff, 0xc3])), '\\xff\\xc3', 'invalid and truncated sequences')
  t.is(escapeText(Buffer.from([0xed, 0xa0, 0x80])), '\\xed\\xa0\\x80', 'surrogates are not valid UTF-8')
  t.is(escapeText(Buffer.from([0xc0, 0x80])), '\\xc0\\x80', 'overlong encodings are not valid UTF-8')
  t.is(escapeText(Buffer.from([0xc2, 0x85])), '\\xc2\\x85', 'C1 controls are escaped')
  t.is(formatText(Buffer.from([1, 2]), 'hex'), '0102')
  t.is(formatText(Buffer.from([1, 2]), 'base64'), 'AQI=')
})

test('JSON output falls back to base64 for bytes that are not UTF-8', (t) => {
  t.deepEqual(formatJson(Buffer.from('ok'), 'utf8'), {text: 'ok', encoding: 'utf8'})
  t.deepEqual(formatJson(Buffer.from([0xff]), 'utf8'), {text: '/w==', encoding: 'base64'})
  t.deepEqual(formatJson(Buffer.from([0xff]), 'hex'), {text: 'ff', encoding: 'hex'})
})

test('durations: units, plain seconds, and rejects', (t) => {
  t.is(parseDuration('500ms', {what: '--ttl'}), 500)
  t.is(parseDuration('30s', {what: '--ttl'}), 30_000)
  t.is(parseDuration('10m', {what: '--ttl'}), 600_000)
  t.is(parseDuration('2h', {what: '--ttl'}), 7_200_000)
  t.is(parseDuration('7d', {what: '--ttl'}), 604_800_000)
  t.is(parseDuration('1.5h', {what: '--ttl'}), 5_400_000)
  t.is(parseDuration('45', {what: '--ttl'}), 45_000)
  t.is(parseDuration('0', {what: '--lock-timeout', allowZero: true}), 0)
  for (const bad of ['0', '0s', '-1s', '', 'abc', '5x', '1.5ms', '36501d', '1e3']) {
    const e = t.throws(() => parseDuration(bad, {what: '--ttl'}))
    t.is((e as StrataError).code, 'INVALID_ARGUMENT', bad)
  }
  t.is(formatDuration(42_000), '42s')
  t.is(formatDuration(3_599_000), '59m 59s')
  t.is(formatDuration(90_000_000), '1d 1h')
})

test('batch lines: puts, deletes, encodings, ttl and expiry', (t) => {
  const d = {key: 'utf8', value: 'utf8'} as const
  t.like(parseBatchLine('{"key":"a","value":"b"}', 1, d, 0), {kind: 'put', json: false})
  t.like(parseBatchLine('{"key":"a","delete":true}', 1, d, 0), {kind: 'delete', expired: false})
  const hex = parseBatchLine('{"key":"00","value":"ff","encoding":"hex"}', 1, d, 0)
  t.deepEqual(hex.kind === 'put' && [hex.key, hex.value], [Buffer.from([0]), Buffer.from([255])])
  const sep = parseBatchLine('{"key":"6b","value":"AA==","valueEncoding":"base64","encoding":"hex"}', 1, d, 0)
  t.deepEqual(sep.kind === 'put' && [sep.key, sep.value], [Buffer.from('k'), Buffer.from([0])])
  t.like(parseBatchLine('{"key":"a","value":"b","ttl":"30s"}', 1, d, 0), {ttlMs: 30_000})
  t.like(parseBatchLine('{"key":"a","value":"b","ttl":250}', 1, d, 0), {ttlMs: 250})
  t.like(parseBatchLine('{"key":"a","value":"b","expiresAt":5000}', 1, d, 1000), {kind: 'put', expiresAt: 5000})
  t.like(parseBatchLine('{"key":"a","value":"b","expiresAt":"1970-01-01T00:00:05Z"}', 1, d, 1000), {expiresAt: 5000})
  t.like(parseBatchLine('{"key":"a","value":"b","expiresAt":500}', 1, d, 1000), {kind: 'delete', expired: true})
  t.like(parseBatchLine('{"key":"a","value":null,"expiresAt":null,"valueEncoding":"json","shard":1,"seq":9}', 1, d, 0), {kind: 'put', json: true})
  const e = t.throws(() => parseBatchLine('{"key":"a","value":"b","ttl":"1s","expiresAt":1}', 12, d, 0))
  t.regex(e!.message, /^line 12: /)
})

test('readLines splits across chunk boundaries and numbers lines', async (t) => {
  const chunks = [Buffer.from('ab'), Buffer.from('c\nde'), Buffer.from('f\r\n\n'), Buffer.from('last')]
  const got = []
  for await (const l of readLines(Readable.from(chunks), 100)) got.push(l)
  t.deepEqual(got, [{number: 1, text: 'abc'}, {number: 2, text: 'def'}, {number: 3, text: ''}, {number: 4, text: 'last'}])
  const e = await t.throwsAsync(async () => {
    for await (const _ of readLines(Readable.from([Buffer.from('ok\n'), Buffer.from('x'.repeat(20))]), 10)) void _
  })
  t.regex(e!.message, /line 2: longer than 10 bytes/)
  const u = await t.throwsAsync(async () => {
    for await (const _ of readLines(Readable.from([Buffer.from('ok\n\xff\n', 'latin1')]), 100)) void _
  })
  t.regex(u!.message, /line 2: not valid UTF-8/)
})

test('loadBatch applies whole chunks and none of the bad line\'s chunk', async (t) => {
  const applied: BatchOp[][] = []
  const store = {batch: async (ops: readonly BatchOp[]) => void applied.push([...ops])}
  const input = ['{"key":"a","value":"1"}', '{"key":"b","value":"2"}', '', '{"key":"c","value":"3"}', '{"key":"d"}', '{"key":"e","value":"5"}'].join('\n')
  const e = await t.throwsAsync(loadBatch(Readable.from([Buffer.from(input)]), store, {chunkRecords: 2, encodings: {key: 'utf8', value: 'utf8'}}))
  t.regex(e!.message, /^line 5: /)
  t.is(applied.length, 1)
  t.deepEqual(applied[0].map((o) => String(o.key)), ['a', 'b'])
  t.regex((e as CliError).hint ?? '', /lines 1-2 were applied .*nothing from line 4 on was written/)
})

test('sizes are whole bytes with optional 1024-based units', (t) => {
  const cases: Array<[string, number]> = [['0', 0], ['4096', 4096], ['12b', 12], ['1K', 1024], ['2kib', 2048], ['3KB', 3072], ['64MiB', 64 * 1024 ** 2], ['8m', 8 * 1024 ** 2], ['1G', 1024 ** 3], [' 5 MiB ', 5 * 1024 ** 2]]
  for (const [text, bytes] of cases) t.is(parseSize(text, '--cache-size'), bytes, text)
  for (const bad of ['', '-1', '1.5M', 'M', '8T', '10 apples', '0x10', '65G']) {
    const e = t.throws(() => parseSize(bad, '--cache-size'))
    t.is((e as StrataError).code, 'INVALID_ARGUMENT', bad)
    t.regex((e as CliError).message, /--cache-size/)
  }
})
