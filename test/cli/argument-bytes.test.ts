/**
 * Command-line arguments that cannot stand for exact bytes: Node decodes argv
 * as UTF-8 and turns each invalid byte into U+FFFD, and NDJSON "\ud800"
 * escapes decode to lone surrogates. Both would make different inputs name
 * one key; both are refused with exit 2 and nothing written.
 */
import test from 'ava'
import {spawnSync} from 'node:child_process'
import {assertError, assertJsonError, BIN, newStore, ROOT, strata, treeHash, type RunResult} from './helpers.js'

/** A POSIX-shell word for `arg`: Buffers as printf octal escapes (raw bytes), strings single-quoted. */
function shellArg(arg: string | Buffer): string {
  if (typeof arg === 'string') return `'${arg.replace(/'/g, `'\\''`)}'`
  return `"$(printf '${[...arg].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('')}')"`
}

/** Runs strata through sh, so arguments can hold bytes that are not UTF-8. */
function strataRaw(args: ReadonlyArray<string | Buffer>): RunResult {
  const script = ['exec', shellArg(process.execPath), shellArg(BIN), ...args.map(shellArg)].join(' ')
  const env: Record<string, string> = {CI: 'true', OCLIF_SKIP_NEW_VERSION_CHECK: 'true', PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp'}
  const r = spawnSync('/bin/sh', ['-c', script], {env, cwd: ROOT})
  return {code: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8'), stdoutBytes: r.stdout}
}

const FF = Buffer.from([0xff])
const FE = Buffer.from([0xfe])

test('a key, value or bound that is not valid UTF-8 is refused on every command, and nothing is written', async (t) => {
  const dir = await newStore(t, 2)
  t.is((await strata(['put', 'k', 'v', '--dir', dir])).code, 0)
  const before = treeHash(dir)
  const cases: Array<Array<string | Buffer>> = [
    ['put', FF, 'a'],
    ['put', FE, 'b'],
    ['put', Buffer.from('user:\xfe', 'latin1'), 'b'],
    ['put', 'k', FF],
    ['delete', FF],
    ['delete', 'k', FE],
    ['get', FF], // the lean start-up path
    ['get', FF, '--format', 'table'], // through oclif
    ['explain', FF],
    ['scan', '--from', FF],
    ['scan', '--to', FE],
    ['scan', '--prefix', FF],
    ['compact', '--from', FF],
  ]
  for (const args of cases) {
    const r = strataRaw([...args, '--dir', dir])
    assertError(t, r, 'INVALID_ARGUMENT', 2, /not valid UTF-8.*hint: .*(--key-encoding|--value-encoding) hex\|base64/)
  }
  t.deepEqual(treeHash(dir), before)
  const json = strataRaw(['put', FF, 'a', '--dir', dir, '--format', 'json'])
  t.regex(assertJsonError(t, json, 'INVALID_ARGUMENT', 2).hint ?? '', /--key-encoding/)
})

test('bytes given in hex stay distinct, and U+FFFD itself can be stored through hex', async (t) => {
  const dir = await newStore(t, 1)
  for (const [key, value] of [['ff', '61'], ['fe', '62'], ['efbfbd', '63']]) {
    const r = await strata(['put', key, value, '--key-encoding', 'hex', '--value-encoding', 'hex', '--dir', dir])
    t.is(r.code, 0, r.stderr)
  }
  const s = await strata(['scan', '--key-encoding', 'hex', '--dir', dir])
  t.is(s.stdout, 'efbfbd\tc\nfe\tb\nff\ta\n')
})

test('a lone surrogate in an NDJSON key or value is refused with its line number', async (t) => {
  const dir = await newStore(t, 1)
  const before = treeHash(dir)
  const key = await strata(['put', '--batch', '-', '--dir', dir, '--format', 'json'], {input: '{"key":"a","value":"1"}\n{"key":"\\ud800","value":"x"}\n'})
  t.regex(assertJsonError(t, key, 'INVALID_ARGUMENT', 2).message, /^line 2: key /)
  const value = await strata(['put', '--batch', '-', '--dir', dir], {input: '{"key":"a","value":"1"}\n{"key":"b","value":"x"}\n{"key":"c","value":"\\udc00"}\n'})
  assertError(t, value, 'INVALID_ARGUMENT', 2, /line 3: value /)
  t.deepEqual(treeHash(dir), before)
  // A surrogate pair is a real character and is stored.
  const pair = await strata(['put', '--batch', '-', '--dir', dir], {input: '{"key":"\\ud83d\\ude00","value":"x"}\n'})
  t.is(pair.code, 0, pair.stderr)
  t.is((await strata(['get', '😀', '--dir', dir])).stdout, 'x\n')
})
