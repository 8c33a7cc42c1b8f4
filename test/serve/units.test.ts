/**
 * The server's small parsers, directly: listen addresses and the loopback
 * rule, percent-decoding, raw query strings, --sync modes, error bodies.
 */
import test from 'ava'
import {checkExposure, isLoopback, parseListen} from '../../src/serve/listen-address.js'
import {percentDecode} from '../../src/serve/key-path.js'
import {Query} from '../../src/serve/query.js'
import {errorResponse, HttpError} from '../../src/serve/http-error.js'
import {parseSyncMode, syncModeText} from '../../src/cli/input/sync-mode.js'
import {ErrorCode, StrataError} from '../../src/errors.js'
import {errCode} from '../helpers/errors.js'

test('listen addresses: HOST:PORT and [v6]:PORT; only loopback goes without a token', (t) => {
  t.deepEqual(parseListen('127.0.0.1:7070'), {host: '127.0.0.1', port: 7070})
  t.deepEqual(parseListen('[::1]:0'), {host: '::1', port: 0})
  t.deepEqual(parseListen('localhost:80'), {host: 'localhost', port: 80})
  for (const bad of ['127.0.0.1', ':80', '1.2.3.4:65536', '[::1]', 'a:b', '']) t.is(errCode(() => parseListen(bad)), ErrorCode.INVALID_ARGUMENT, bad)
  t.deepEqual(['127.0.0.1', '127.9.9.9', '::1', 'localhost', '::ffff:127.0.0.1', '0.0.0.0', '10.0.0.1', '::', 'example.com'].map(isLoopback),
    [true, true, true, true, true, false, false, false, false])
  t.is(errCode(() => checkExposure({host: '0.0.0.0', port: 1}, false)), ErrorCode.INVALID_ARGUMENT)
  t.is(errCode(() => checkExposure({host: '0.0.0.0', port: 1}, true)), 'no error')
  t.is(errCode(() => checkExposure({host: '127.0.0.1', port: 1}, false)), 'no error')
})

test('percent-decoding gives bytes; a malformed escape is a 400', (t) => {
  t.deepEqual(percentDecode('a%00%ff%2Fb', 'k'), Buffer.from([0x61, 0x00, 0xff, 0x2f, 0x62]))
  t.deepEqual(percentDecode('é', 'k'), Buffer.from('é', 'utf8'))
  for (const bad of ['%', '%4', '%G0', 'a%zz']) {
    const err = t.throws(() => percentDecode(bad, 'k'))
    t.true(err instanceof HttpError && err.status === 400, bad)
  }
})

test('queries keep raw values, refuse repeats and unknown names, and parse flags and numbers', (t) => {
  const q = new Query('from=%FF%00&reverse&limit=5&p=a+b')
  t.is(q.rawValue('from'), '%FF%00')
  t.true(q.flag('reverse'))
  t.false(q.flag('absent'))
  t.is(q.integer('limit', 1), 5)
  t.is(q.get('p'), 'a b')
  t.deepEqual(q.names(), ['from', 'reverse', 'limit', 'p'])
  t.throws(() => q.only(['from']), {instanceOf: HttpError})
  t.throws(() => new Query('a=1&a=2'), {instanceOf: HttpError})
  t.throws(() => new Query('limit=-1').integer('limit', 1), {instanceOf: HttpError})
  t.throws(() => new Query('r=yes').flag('r'), {instanceOf: HttpError})
})

test('--sync modes', (t) => {
  t.deepEqual(['always', 'batch', 'none', 'every:100', 'every:250ms', 'every:2s'].map(parseSyncMode),
    ['always', 'batch', 'none', {everyOps: 100}, {everyMs: 250}, {everyMs: 2000}])
  t.is(syncModeText({everyMs: 250}), 'every:250ms')
  t.is(syncModeText({everyOps: 3}), 'every:3')
  for (const bad of ['', 'sometimes', 'every:', 'every:0', 'every:-1', 'every:1x']) t.throws(() => parseSyncMode(bad), undefined, bad)
})

test('error bodies carry the code, message, hint and status; engine codes map to HTTP statuses', (t) => {
  const cases: Array<[unknown, number, string]> = [
    [new StrataError(ErrorCode.NOT_FOUND, 'x'), 404, 'NOT_FOUND'],
    [new StrataError(ErrorCode.INVALID_ARGUMENT, 'x'), 400, 'INVALID_ARGUMENT'],
    [new StrataError(ErrorCode.SCHEMA_MISMATCH, 'x'), 400, 'SCHEMA_MISMATCH'],
    [new StrataError(ErrorCode.BUSY, 'x'), 503, 'BUSY'],
    [new StrataError(ErrorCode.CORRUPTION, 'x'), 500, 'CORRUPTION'],
    [new StrataError(ErrorCode.IO, 'x'), 500, 'IO'],
    [new HttpError(413, ErrorCode.INVALID_ARGUMENT, 'big'), 413, 'INVALID_ARGUMENT'],
    [new Error('bug'), 500, 'INTERNAL'],
  ]
  for (const [err, status, code] of cases) {
    const r = errorResponse(err)
    t.is(r.status, status)
    t.like(r.body.error, {code, status})
    t.true('hint' in r.body.error && typeof r.body.error.message === 'string')
  }
})
