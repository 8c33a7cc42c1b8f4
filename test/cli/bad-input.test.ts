/**
 * Bad input, one test each: a one-line error on stderr with a stable code, the
 * documented exit code, and the data directory byte-for-byte unchanged.
 */
import test from 'ava'
import type {ExecutionContext} from 'ava'
import {spawn} from 'node:child_process'
import {closeSync, mkdirSync, openSync, readFileSync, truncateSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import * as zlib from 'node:zlib'
import {assertError, assertJsonError, newStore, ROOT, strata, tempDir, treeHash, type RunResult} from './helpers.js'

/** A store holding one key, and a check that a run leaves it byte-for-byte unchanged. */
async function unchanged(t: ExecutionContext, dir: string, run: () => Promise<RunResult>): Promise<RunResult> {
  const before = treeHash(dir)
  const r = await run()
  t.deepEqual(treeHash(dir), before, 'the data directory is unchanged')
  return r
}

async function storeWithData(t: ExecutionContext): Promise<string> {
  const dir = await newStore(t)
  t.is((await strata(['put', 'existing', 'value', '--dir', dir])).code, 0)
  return dir
}

test('unknown flag: USAGE, exit 2', async (t) => {
  const dir = await storeWithData(t)
  const r = await unchanged(t, dir, () => strata(['put', 'k', 'v', '--bogus', '--dir', dir]))
  assertError(t, r, 'USAGE', 2, /unknown flag --bogus/)
})

test('unknown flag with --format json: the error is one JSON line', async (t) => {
  const dir = await storeWithData(t)
  const r = await unchanged(t, dir, () => strata(['get', 'k', '--nope', '--format', 'json', '--dir', dir]))
  const e = assertJsonError(t, r, 'USAGE', 2)
  t.regex(e.message, /--nope/)
})

test('missing argument: USAGE, exit 2', async (t) => {
  const dir = await storeWithData(t)
  assertError(t, await unchanged(t, dir, () => strata(['get', '--dir', dir])), 'USAGE', 2, /missing required argument KEY/)
  assertError(t, await unchanged(t, dir, () => strata(['put', '--dir', dir])), 'USAGE', 2, /missing required argument KEY/)
  assertError(t, await unchanged(t, dir, () => strata(['delete', '--dir', dir])), 'USAGE', 2, /missing required argument KEY/)
})

test('bad option value: USAGE, exit 2', async (t) => {
  const dir = await storeWithData(t)
  assertError(t, await unchanged(t, dir, () => strata(['get', 'k', '--key-encoding', 'rot13', '--dir', dir])), 'USAGE', 2, /key-encoding/)
  assertError(t, await unchanged(t, dir, () => strata(['scan', '--format', 'xml', '--dir', dir])), 'USAGE', 2, /format/)
})

test('empty key: INVALID_ARGUMENT, exit 2', async (t) => {
  const dir = await storeWithData(t)
  const r = await unchanged(t, dir, () => strata(['put', '', 'v', '--dir', dir]))
  assertError(t, r, 'INVALID_ARGUMENT', 2, /key is empty; keys are 1 to 65536 bytes/)
  assertError(t, await unchanged(t, dir, () => strata(['get', '', '--dir', dir])), 'INVALID_ARGUMENT', 2, /key is empty/)
})

test('key over 64 KiB: INVALID_ARGUMENT, exit 2', async (t) => {
  const dir = await storeWithData(t)
  const r = await unchanged(t, dir, () => strata(['put', 'k'.repeat(65537), 'v', '--dir', dir]))
  assertError(t, r, 'INVALID_ARGUMENT', 2, /key is 65537 bytes, over the limit of 65536 bytes \(64 KiB\)/)
  const ok = await strata(['put', 'k'.repeat(65536), 'v', '--dir', dir])
  t.is(ok.code, 0, `a key of exactly 64 KiB is accepted: ${ok.stderr}`)
})

test('value over 64 MiB: INVALID_ARGUMENT, exit 2', async (t) => {
  const dir = await storeWithData(t)
  const file = join(tempDir(t), 'big.bin')
  closeSync(openSync(file, 'w'))
  truncateSync(file, 64 * 1024 * 1024 + 1)
  const r = await unchanged(t, dir, () => strata(['put', 'big', '--file', file, '--dir', dir]))
  assertError(t, r, 'INVALID_ARGUMENT', 2, /value in --file .* is 67108865 bytes, over the limit of 67108864 bytes \(64 MiB\)/)
})

test('value over 64 MiB on stdin: INVALID_ARGUMENT, exit 2', async (t) => {
  const dir = await storeWithData(t)
  const r = await unchanged(t, dir, () => strata(['put', 'big', '-', '--dir', dir], {input: Buffer.alloc(64 * 1024 * 1024 + 1)}))
  assertError(t, r, 'INVALID_ARGUMENT', 2, /value on stdin is over the limit of 67108864 bytes/)
})

test('bad hex: INVALID_ARGUMENT, exit 2', async (t) => {
  const dir = await storeWithData(t)
  assertError(t, await unchanged(t, dir, () => strata(['put', 'abc', 'v', '--key-encoding', 'hex', '--dir', dir])), 'INVALID_ARGUMENT', 2, /odd number of digits/)
  assertError(t, await unchanged(t, dir, () => strata(['put', 'k', '0g', '--value-encoding', 'hex', '--dir', dir])), 'INVALID_ARGUMENT', 2, /value is not valid hex: character "g"/)
  assertError(t, await unchanged(t, dir, () => strata(['get', 'zz', '--key-encoding', 'hex', '--dir', dir])), 'INVALID_ARGUMENT', 2, /not valid hex/)
})

test('bad base64: INVALID_ARGUMENT, exit 2', async (t) => {
  const dir = await storeWithData(t)
  assertError(t, await unchanged(t, dir, () => strata(['put', 'a*b=', 'v', '--key-encoding', 'base64', '--dir', dir])), 'INVALID_ARGUMENT', 2, /key is not valid base64: character "\*"/)
  assertError(t, await unchanged(t, dir, () => strata(['put', 'k', 'QQ', '--value-encoding', 'base64', '--dir', dir])), 'INVALID_ARGUMENT', 2, /padding/)
  assertError(t, await unchanged(t, dir, () => strata(['put', 'k', 'QR==', '--value-encoding', 'base64', '--dir', dir])), 'INVALID_ARGUMENT', 2, /padding bits/)
})

test('bad --ttl: INVALID_ARGUMENT, exit 2', async (t) => {
  const dir = await storeWithData(t)
  for (const ttl of ['0', '-5s', 'soon', '1.5ms', '0s']) {
    assertError(t, await unchanged(t, dir, () => strata(['put', 'k', 'v', '--ttl', ttl, '--dir', dir])), 'INVALID_ARGUMENT', 2, /--ttl/)
  }
})

test('a directory that is not a store: NOT_A_STORE, exit 2', async (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'notes.txt'), 'not a store')
  for (const args of [['get', 'k'], ['put', 'k', 'v'], ['scan'], ['stats'], ['delete', 'k'], ['compact'], ['digest']]) {
    const r = await unchanged(t, dir, () => strata([...args, '--dir', dir]))
    assertError(t, r, 'NOT_A_STORE', 2, /not a strata store/)
  }
  const missing = join(dir, 'missing')
  assertError(t, await strata(['get', 'k', '--dir', missing]), 'NOT_A_STORE', 2)
})

/** Rewrites STORE as format version `version`, with a valid checksum. */
function setFormatVersion(dir: string, version: number): void {
  const path = join(dir, 'STORE')
  const buf = Buffer.from(readFileSync(path))
  buf.writeUInt32LE(version, 8)
  buf.writeUInt32LE(zlib.crc32(buf.subarray(0, buf.length - 4)) >>> 0, buf.length - 4)
  writeFileSync(path, buf)
}

test('a store of a future format version: UNSUPPORTED, exit 5', async (t) => {
  const dir = await storeWithData(t)
  setFormatVersion(dir, 2)
  for (const args of [['get', 'existing'], ['put', 'k', 'v'], ['scan'], ['stats'], ['digest']]) {
    const r = await unchanged(t, dir, () => strata([...args, '--dir', dir]))
    assertError(t, r, 'UNSUPPORTED', 5, /format version 2/)
  }
  assertJsonError(t, await strata(['stats', '--dir', dir, '--json']), 'UNSUPPORTED', 5)
})

test('a truncated STORE file: CORRUPTION, exit 3', async (t) => {
  const dir = await storeWithData(t)
  truncateSync(join(dir, 'STORE'), 20)
  for (const args of [['get', 'existing'], ['put', 'k', 'v'], ['stats'], ['digest']]) {
    const r = await unchanged(t, dir, () => strata([...args, '--dir', dir]))
    assertError(t, r, 'CORRUPTION', 3, /STORE/)
  }
})

test('a STORE with a damaged byte: CORRUPTION, exit 3', async (t) => {
  const dir = await storeWithData(t)
  const path = join(dir, 'STORE')
  const buf = readFileSync(path)
  buf[14] ^= 0x40
  writeFileSync(path, buf)
  assertError(t, await unchanged(t, dir, () => strata(['get', 'existing', '--dir', dir])), 'CORRUPTION', 3, /checksum/)
})

test('--file that does not exist: INVALID_ARGUMENT, exit 2', async (t) => {
  const dir = await storeWithData(t)
  assertError(t, await unchanged(t, dir, () => strata(['put', 'k', '--file', join(dir, 'nope'), '--dir', dir])), 'INVALID_ARGUMENT', 2, /nope/)
})

test('a writer waiting past --lock-timeout gets BUSY, exit 4; readers are not blocked', async (t) => {
  const dir = await storeWithData(t)
  const index = pathToFileURL(join(ROOT, 'dist', 'src', 'index.js')).href
  const holder = spawn(process.execPath, ['--input-type=module', '-e', `
    const {open} = await import(${JSON.stringify(index)})
    const s = await open(${JSON.stringify(dir)}, {})
    process.stdout.write('ready\\n')
    process.stdin.resume()
    process.stdin.on('end', async () => { await s.close(); process.exit(0) })
  `], {stdio: ['pipe', 'pipe', 'inherit']})
  t.teardown(() => holder.kill())
  await new Promise<void>((resolve, reject) => {
    holder.stdout.once('data', () => resolve())
    holder.once('exit', (code) => reject(new Error(`lock holder exited with ${code}`)))
  })
  const started = Date.now()
  const r = await unchanged(t, dir, () => strata(['put', 'k', 'v', '--lock-timeout', '300ms', '--dir', dir]))
  assertError(t, r, 'BUSY', 4, /locked/)
  t.true(Date.now() - started >= 300, 'it waited for the lock timeout')
  const g = await strata(['get', 'existing', '--dir', dir])
  t.is(g.code, 0, `a reader works while a writer holds the lock: ${g.stderr}`)
  t.is(g.stdout, 'value\n')
  holder.stdin.end()
  await new Promise((resolve) => holder.once('exit', resolve))
  t.is((await strata(['put', 'k', 'v', '--dir', dir])).code, 0, 'the lock is free once the holder exits')
})

test('bad --lock-timeout: INVALID_ARGUMENT, exit 2', async (t) => {
  const dir = await storeWithData(t)
  assertError(t, await unchanged(t, dir, () => strata(['put', 'k', 'v', '--lock-timeout', 'forever', '--dir', dir])), 'INVALID_ARGUMENT', 2, /--lock-timeout/)
})

test('--json conflicting with --format: USAGE, exit 2', async (t) => {
  const dir = await storeWithData(t)
  const r = await unchanged(t, dir, () => strata(['scan', '--json', '--format', 'text', '--dir', dir]))
  assertJsonError(t, r, 'USAGE', 2)
})

test('nothing is created for bad input in a fresh directory', async (t) => {
  const parent = tempDir(t)
  const dir = join(parent, 'empty')
  mkdirSync(dir)
  const r = await unchanged(t, parent, () => strata(['put', '', 'v', '--dir', dir]))
  assertError(t, r, 'INVALID_ARGUMENT', 2)
})
