/**
 * `npm run build` bundles `strata get`'s lean path into dist/fast-get.mjs,
 * and bin/run.js runs it from there: one file for Node to load instead of
 * the hundred modules behind it. The bundle must be built from the compiled
 * modules of the same build (a stale one would run old code), and a plain
 * `get` must load it and neither oclif nor the modules it was built from.
 */
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {pathToFileURL} from 'node:url'
import {strata} from '../helpers/cli.js'
import {repoRoot, tempDir} from '../helpers/temp.js'

const bundle = path.join(repoRoot, 'dist', 'fast-get.mjs')
const entry = path.join(repoRoot, 'dist', 'src', 'cli', 'fast-get', 'fast-path.js')
const preload = pathToFileURL(path.join(repoRoot, 'test', 'support', 'record-modules.mjs')).href

test('the build wrote the bundle after the modules it is made of', (t) => {
  t.true(fs.existsSync(bundle), 'dist/fast-get.mjs exists (npm run build writes it)')
  t.true(fs.statSync(bundle).mtimeMs >= fs.statSync(entry).mtimeMs, 'the bundle is at least as new as the compiled entry module')
})

test('a plain get runs from the bundle, without oclif or the separate modules', (t) => {
  const dir = tempDir(t)
  const store = path.join(dir, 'store')
  t.is(strata(['init', '--dir', store]).code, 0)
  t.is(strata(['put', '--dir', store, 'k', 'v']).code, 0)
  const json = (out: string): unknown => (JSON.parse(out) as {records: Array<{value: string}>}).records.map((r) => r.value)
  const cases: Array<[string[], number, (out: string) => unknown, unknown]> = [
    [['get', '--dir', store, 'k'], 0, (out) => out, 'v\n'],
    [['get', '--dir', store, 'k', '--format', 'json'], 0, json, ['v']],
    [['get', '--dir', store, 'missing'], 1, (out) => out, ''],
  ]
  for (const [args, code, read, expected] of cases) {
    const log = path.join(dir, 'modules.log')
    const r = strata(args, {env: {NODE_OPTIONS: `--import=${preload}`, STRATA_MODULE_LOG: log}})
    t.is(r.code, code, r.stderr)
    t.deepEqual(read(r.stdout), expected)
    const mods = fs.readFileSync(log, 'utf8').split('\n').filter((l) => l !== '')
    t.true(mods.some((m) => m.endsWith('/dist/fast-get.mjs')), `${args.join(' ')}: loads the bundle`)
    t.deepEqual(mods.filter((m) => m.includes('/dist/src/') || m.includes('@oclif')), [], `${args.join(' ')}: loads nothing else of strata's`)
  }
})
