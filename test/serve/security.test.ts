/**
 * What a hostile or broken client can do to a real server: no token or a
 * wrong one, oversize bodies, malformed requests, headers sent byte by byte,
 * a body that never ends. Each is answered (or cut off) with the documented
 * status and JSON error, and the server keeps answering everyone else.
 */
import test from 'ava'
import {writeFileSync} from 'node:fs'
import {connect} from 'node:net'
import {join} from 'node:path'
import {tempDir} from '../helpers/temp.js'
import {errorOf, newStore, rawRequest, serveOnce, startServe} from './helpers.js'

test('with --token-file every request needs the bearer token: 401 UNAUTHORIZED without it', async (t) => {
  const dir = newStore(t)
  const token = join(tempDir(t), 'token')
  writeFileSync(token, 'c2VjcmV0LXRva2Vu-0123456789\n')
  const s = await startServe(t, dir, ['--token-file', token])
  const good = {authorization: 'Bearer c2VjcmV0LXRva2Vu-0123456789'}
  for (const headers of [{} as Record<string, string>, {authorization: 'Bearer nope'}, {authorization: 'Bearer c2VjcmV0LXRva2Vu-012345678'}, {authorization: 'Basic c2VjcmV0'}, {authorization: 'Bearer'}]) {
    for (const [method, path] of [['GET', '/healthz'], ['PUT', '/kv/k'], ['GET', '/nope']]) {
      await errorOf(t, await fetch(`${s.url}${path}`, {method, headers, ...(method === 'PUT' ? {body: 'v'} : {})}), 401, 'UNAUTHORIZED')
    }
  }
  t.is((await fetch(`${s.url}/kv/k`, {method: 'PUT', headers: good, body: 'v'})).status, 200)
  t.is(await (await fetch(`${s.url}/kv/k`, {headers: good})).text(), 'v')
  t.is((await s.stop()).code, 0)
})

test('start-up refuses a non-loopback address without a token, and a bad token file', async (t) => {
  const dir = newStore(t)
  const exposed = await serveOnce(['--dir', dir, '--listen', '0.0.0.0:0'])
  t.is(exposed.code, 2)
  t.regex(exposed.stderr, /^strata: error INVALID_ARGUMENT: refusing to listen on 0\.0\.0\.0 without --token-file/m)
  const empty = join(tempDir(t), 'empty')
  writeFileSync(empty, '  \n')
  const r = await serveOnce(['--dir', dir, '--token-file', empty, '--listen', '127.0.0.1:0'])
  t.is(r.code, 2)
  t.regex(r.stderr, /error INVALID_ARGUMENT: token file .* is empty/)
  for (const args of [['--listen', 'localhost'], ['--listen', '1.2.3.4:99999'], ['--sync', 'sometimes'], ['--max-body', '65MiB'], ['--header-timeout', 'x']]) {
    const bad = await serveOnce(['--dir', dir, ...args])
    t.is(bad.code, 2, `${args.join(' ')}: ${bad.stderr}`)
  }
  const notStore = await serveOnce(['--dir', join(tempDir(t), 'none'), '--listen', '127.0.0.1:0'])
  t.is(notStore.code, 2)
  t.regex(notStore.stderr, /error NOT_A_STORE/)
})

test('a second writer server is refused with BUSY while the first holds the lock', async (t) => {
  const dir = newStore(t)
  const s = await startServe(t, dir)
  const second = await serveOnce(['--dir', dir, '--listen', '127.0.0.1:0', '--lock-timeout', '0'])
  t.is(second.code, 4)
  t.regex(second.stderr, /error BUSY/)
  t.is((await s.stop()).code, 0)
})

test('bodies over the limit get 413, whether declared or streamed; nothing is written', async (t) => {
  const dir = newStore(t)
  const s = await startServe(t, dir, ['--max-body', '1KiB'])
  await errorOf(t, await fetch(`${s.url}/kv/big`, {method: 'PUT', body: 'x'.repeat(1025)}), 413, 'INVALID_ARGUMENT')
  // Streamed (chunked, no Content-Length): cut off once the limit passes. The
  // client is still sending when the answer comes: it must read the 413, not
  // a reset of the connection, every time.
  let refused = 0
  for (let n = 0; n < 30; n++) {
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 8; i++) c.enqueue(new TextEncoder().encode('y'.repeat(512)))
        c.close()
      },
    })
    await errorOf(t, await fetch(`${s.url}/kv/big`, {method: 'PUT', body: stream, duplex: 'half'} as RequestInit), 413, 'INVALID_ARGUMENT')
    refused++
  }
  t.is(refused, 30)
  await errorOf(t, await fetch(`${s.url}/bulk`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({a: 'z'.repeat(2000)})}), 413, 'INVALID_ARGUMENT')
  // A declared length over the value limit is refused before a byte of the body is read.
  const declared = await rawRequest(s.port, 'PUT /kv/huge HTTP/1.1\r\nHost: x\r\nContent-Length: 70000000\r\n\r\nabc')
  t.regex(declared, /^HTTP\/1\.1 413 /)
  t.regex(declared, /"code":"INVALID_ARGUMENT"/)
  t.is((await fetch(`${s.url}/kv/ok`, {method: 'PUT', body: 'x'.repeat(1024)})).status, 200, 'a body at the limit is fine')
  t.is((await fetch(`${s.url}/kv/big`)).status, 404)
  t.is((await s.stop()).code, 0)
})

test('malformed requests get 400 JSON and the server keeps answering', async (t) => {
  const dir = newStore(t)
  const s = await startServe(t, dir)
  const garbage = ['GARBAGE\r\n\r\n', 'GET /kv/a HTTP/9.9\r\n\r\n', 'GET /kv/a HTTP/1.1\r\nHost: x\r\nContent-Length: -4\r\n\r\n', '\x00\x01\x02\r\n\r\n', 'GET http://evil.example/kv/a HTTP/1.1\r\nHost: x\r\n\r\n', 'GET /kv/%zz HTTP/1.1\r\nHost: x\r\n\r\n']
  let answered = 0
  for (const raw of garbage) {
    const reply = await rawRequest(s.port, raw)
    t.regex(reply, /^HTTP\/1\.1 400 /, JSON.stringify(raw))
    t.regex(reply, /"code":"INVALID_ARGUMENT"/)
    answered++
  }
  t.is(answered, garbage.length)
  t.is((await fetch(`${s.url}/healthz`)).status, 200)
  t.is(s.child.exitCode, null, 'still running')
  t.is((await s.stop()).code, 0)
})

test('a client that sends headers byte by byte, or never finishes its body, is cut off while others are served', async (t) => {
  const dir = newStore(t)
  const s = await startServe(t, dir, ['--header-timeout', '1s', '--body-timeout', '1s', '--request-timeout', '3s'])
  // Slow headers: one byte every 300 ms, far slower than the 1 s allowed for all of them.
  const slowHeaders = new Promise<string>((resolve) => {
    const socket = connect(s.port, '127.0.0.1')
    const text = 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: ' + 'p'.repeat(200) + '\r\n\r\n'
    let i = 0
    let got = ''
    const timer = setInterval(() => {
      if (i < text.length && !socket.destroyed) socket.write(text[i++])
    }, 300)
    socket.on('data', (b) => (got += b.toString('latin1')))
    socket.on('error', () => {})
    socket.on('close', () => {
      clearInterval(timer)
      resolve(got)
    })
  })
  // A body that never ends: Content-Length 100, 10 bytes sent.
  const stalledBody = new Promise<string>((resolve) => {
    const socket = connect(s.port, '127.0.0.1', () => socket.write('PUT /kv/stalled HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789'))
    let got = ''
    socket.on('data', (b) => (got += b.toString('latin1')))
    socket.on('error', () => {})
    socket.on('close', () => resolve(got))
  })
  // Meanwhile, others are answered.
  let served = 0
  for (let i = 0; i < 5; i++) {
    const r = await fetch(`${s.url}/kv/other${i}`, {method: 'PUT', body: 'v'})
    if (r.status === 200) served++
  }
  t.is(served, 5)
  const headerReply = await slowHeaders
  t.true(headerReply === '' || /^HTTP\/1\.1 408 /.test(headerReply), JSON.stringify(headerReply))
  t.notRegex(headerReply, /"status":"ok"/, 'the slow request was never served')
  const bodyReply = await stalledBody
  t.regex(bodyReply, /^HTTP\/1\.1 408 /)
  t.regex(bodyReply, /"code":"INVALID_ARGUMENT"/)
  t.is((await fetch(`${s.url}/kv/stalled`)).status, 404, 'nothing of the stalled body was written')
  t.is((await fetch(`${s.url}/healthz`)).status, 200)
  t.is((await s.stop()).code, 0)
})
