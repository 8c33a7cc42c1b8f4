/**
 * The AWS SDK is loaded only for s3:// destinations: `strata --help`,
 * `strata get` (both its fast path and oclif's) and replicate/restore with a
 * directory replica never load it. The modules a
 * run loaded are recorded by a preload (test/support/record-modules.mjs); a
 * run that opens an S3 store proves the record would show the SDK.
 */
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {pathToFileURL} from 'node:url'
import {strata} from '../helpers/cli.js'
import {repoRoot, tempDir} from '../helpers/temp.js'
import {spawnSync} from 'node:child_process'

const preload = pathToFileURL(path.join(repoRoot, 'test', 'support', 'record-modules.mjs')).href

function loaded(log: string): string[] {
  return fs.readFileSync(log, 'utf8').split('\n').filter((l) => l !== '')
}

const sdk = (mods: string[]): string[] => mods.filter((m) => /@aws-sdk|@smithy/.test(m))

test('strata --help, strata get and replication to a directory never load the AWS SDK', (t) => {
  const dir = tempDir(t)
  const store = path.join(dir, 'store')
  t.is(strata(['init', '--dir', store]).code, 0)
  t.is(strata(['put', '--dir', store, 'k', 'v']).code, 0)
  const runs: [string[], number][] = [
    [['--help'], 0],
    [['get', '--dir', store, 'k'], 0],
    [['get', '--dir', store, 'k', '--format', 'json'], 0],
    [['get', '--dir', store, 'missing'], 1],
    [['replicate', '--help'], 0],
    [['replicate', '--dir', store, path.join(dir, 'replica')], 0],
    [['restore', path.join(dir, 'replica'), '--dir', path.join(dir, 'restored')], 0],
  ]
  for (const [args, exit] of runs) {
    const log = path.join(dir, 'modules.log')
    const r = strata(args, {env: {NODE_OPTIONS: `--import=${preload}`, STRATA_MODULE_LOG: log}})
    t.is(r.code, exit, `${args.join(' ')}: ${r.stderr}`)
    const mods = loaded(log)
    t.true(mods.some((m) => m.includes('/dist/src/') || m.endsWith('/dist/fast-get.mjs')), `${args.join(' ')}: the record holds strata's own modules`)
    t.deepEqual(sdk(mods), [], args.join(' '))
  }
})

test('the record shows the SDK once an s3:// store is opened', (t) => {
  const log = path.join(tempDir(t), 'modules.log')
  const script = `
    const {openS3Store} = await import(${JSON.stringify(pathToFileURL(path.join(repoRoot, 'dist', 'src', 'objstore', 's3-store.js')).href)})
    await openS3Store('s3://some-bucket/p', {AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b'}, {maxAttempts: 1}).catch((e) => console.log(e.code))`
  const r = spawnSync(process.execPath, [`--import=${preload}`, '--input-type=module', '-e', script], {env: {...process.env, STRATA_MODULE_LOG: log}})
  t.is(r.stdout.toString().trim(), 'IO')
  t.is(r.stderr.toString(), '', 'nothing from the SDK on stderr')
  t.true(sdk(loaded(log)).length > 0)
})
