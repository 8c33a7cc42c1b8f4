/**
 * `strata verify` as a real child process: exit codes, the JSON report, the
 * error line, --strict, --quick, --max-errors, progress, and the help
 * examples.
 */
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {spawnSync} from 'node:child_process'
import {parseSstable} from '../../src/kaitai/index.js'
import {crc32} from '../../src/util/crc.js'
import type {VerifyReport} from '../../src/index.js'
import {tempDir} from '../helpers/temp.js'
import {cliEnv, runJs, strataAsync} from '../helpers/cli.js'
import {buildRichStore} from '../helpers/rich-store.js'
import {copyDir, listFiles} from './helpers.js'

let base: string
let pristine: string

test.before(async () => {
  base = tempDir('strata-verify-cli-')
  pristine = path.join(base, 'pristine')
  await buildRichStore(pristine, {compression: 'zlib', shards: 3})
})

function copy(): string {
  const dir = path.join(fs.mkdtempSync(path.join(base, 'copy-')), 'db')
  copyDir(pristine, dir)
  return dir
}

const largestTable = (dir: string): string =>
  listFiles(dir).filter((f) => f.endsWith('.sst')).sort((a, b) => fs.statSync(path.join(dir, b)).size - fs.statSync(path.join(dir, a)).size)[0]

test('a clean store verifies with exit 0 and a JSON report listing every check', async (t) => {
  const r = await strataAsync(['verify', '--dir', pristine, '--format', 'json'])
  t.is(r.code, 0, r.stderr)
  t.is(r.stderr, '')
  const report = JSON.parse(r.stdout) as VerifyReport
  t.true(report.ok)
  t.is(report.dir, pristine)
  t.deepEqual(report.findings, [])
  t.is(report.checks.length, 14)
  t.is(report.summary.errors, 0)
  t.is(report.maxErrors, null)
  t.false(report.stopped)
  t.false(report.strict)
})

test('a damaged table exits 3, with the finding in the JSON report and one error line on stderr', async (t) => {
  const dir = copy()
  const rel = largestTable(dir)
  const buf = fs.readFileSync(path.join(dir, rel))
  const block1 = parseSstable(buf, rel, {dataBlocks: 'skip'}).index.entries[1].handle
  buf[block1.offset + 10] ^= 0x04
  fs.writeFileSync(path.join(dir, rel), buf)
  const r = await strataAsync(['verify', '--dir', dir, '--format', 'json'])
  t.is(r.code, 3)
  const report = JSON.parse(r.stdout) as VerifyReport
  t.false(report.ok)
  t.deepEqual(report.findings.map((f) => [f.check, f.severity, f.file, f.offset]), [['sst.block-crc', 'error', rel, block1.offset]])
  const lines = r.stderr.trim().split('\n')
  t.is(lines.length, 1)
  const error = JSON.parse(lines[0]) as {error: {code: string; exitCode: number; message: string}}
  t.is(error.error.code, 'CORRUPTION')
  t.is(error.error.exitCode, 3)
  t.regex(error.error.message, /1 error.*sst\.block-crc/)
})

test('a truncated STORE is a store.descriptor finding with exit 3, not a crash', async (t) => {
  const dir = copy()
  fs.truncateSync(path.join(dir, 'STORE'), 20)
  const r = await strataAsync(['verify', '--dir', dir, '--format', 'json'])
  t.is(r.code, 3, r.stderr)
  const report = JSON.parse(r.stdout) as VerifyReport
  t.deepEqual(report.findings.filter((f) => f.severity === 'error').map((f) => [f.check, f.file]), [['store.descriptor', 'STORE']])
  t.notRegex(r.stderr, /\n\s+at /) // no stack trace
  // The shards are still checked, only without placement (the shard count is unknown).
  t.is(report.summary.tables, listFiles(dir).filter((f) => f.endsWith('.sst')).length)
})

test('a torn WAL tail is a warning: exit 0, and exit 3 with --strict', async (t) => {
  const dir = copy()
  const wal = listFiles(dir).find((f) => f.endsWith('.wal'))!
  const size = fs.statSync(path.join(dir, wal)).size
  fs.appendFileSync(path.join(dir, wal), Buffer.from([0x11, 0x22, 0x33, 0x44, 0x50, 0, 0, 0, 1, 1, 0]))
  const lenient = await strataAsync(['verify', '--dir', dir, '--format', 'json'])
  t.is(lenient.code, 0, lenient.stderr)
  const report = JSON.parse(lenient.stdout) as VerifyReport
  t.true(report.ok)
  t.deepEqual(report.findings.map((f) => [f.check, f.severity, f.file, f.offset]), [['wal.torn-tail', 'warning', wal, size]])
  t.regex(report.findings[0].message, /11 bytes/)
  const strict = await strataAsync(['verify', '--dir', dir, '--format', 'json', '--strict'])
  t.is(strict.code, 3)
  t.false((JSON.parse(strict.stdout) as VerifyReport).ok)
  t.regex(strict.stderr, /1 warning \(--strict\)/)
})

test('not a store exits 2; a bad --max-errors is a usage error', async (t) => {
  const missing = await strataAsync(['verify', '--dir', path.join(base, 'nothing-here')])
  t.is(missing.code, 2)
  t.regex(missing.stderr, /NOT_A_STORE/)
  const bad = await strataAsync(['verify', '--dir', pristine, '--max-errors', '0'])
  t.is(bad.code, 2)
  t.regex(bad.stderr, /USAGE/)
})

test('a STORE of a newer format exits 5 (UNSUPPORTED), not 3', async (t) => {
  const dir = copy()
  const buf = fs.readFileSync(path.join(dir, 'STORE'))
  buf.writeUInt32LE(9, 8)
  buf.writeUInt32LE(crc32(buf.subarray(0, buf.length - 4)), buf.length - 4)
  fs.writeFileSync(path.join(dir, 'STORE'), buf)
  const r = await strataAsync(['verify', '--dir', dir])
  t.is(r.code, 5)
  t.regex(r.stderr, /UNSUPPORTED/)
})

test('--max-errors stops early and the report says so', async (t) => {
  const dir = copy()
  for (const rel of listFiles(dir).filter((f) => f.endsWith('.sst'))) {
    const p = path.join(dir, rel)
    const buf = fs.readFileSync(p)
    buf[0] ^= 1
    fs.writeFileSync(p, buf)
  }
  const r = await strataAsync(['verify', '--dir', dir, '--format', 'json', '--max-errors', '1'])
  t.is(r.code, 3)
  const report = JSON.parse(r.stdout) as VerifyReport
  t.is(report.summary.errors, 1)
  t.true(report.stopped)
  t.is(report.maxErrors, 1)
  const text = await strataAsync(['verify', '--dir', dir, '--max-errors', '1'])
  t.regex(text.stdout, /stopped after 1 error/)
})

test('text, table and ndjson output', async (t) => {
  const clean = await strataAsync(['verify', '--dir', pristine])
  t.is(clean.code, 0)
  t.regex(clean.stdout, /: OK: 0 errors, 0 warnings\n {2}checked 3 shards, \d+ files \(\d+ tables, 3 WALs, 3 manifests\), \d+ entries\n$/)
  const dir = copy()
  const wal = listFiles(dir).find((f) => f.endsWith('.wal'))!
  fs.appendFileSync(path.join(dir, wal), Buffer.from([1, 2, 3]))
  const rel = largestTable(dir)
  const buf = fs.readFileSync(path.join(dir, rel))
  buf[buf.length - 1] ^= 0x80
  fs.writeFileSync(path.join(dir, rel), buf)
  const text = await strataAsync(['verify', '--dir', dir])
  t.is(text.code, 3)
  t.regex(text.stdout, new RegExp(`^error sst\\.footer ${rel} @${buf.length - 8}: .*magic`, 'm'))
  t.regex(text.stdout, new RegExp(`^warning wal\\.torn-tail ${wal} @\\d+: torn tail`, 'm'))
  t.regex(text.stdout, /FAILED: 1 error, 1 warning/)
  t.regex(text.stdout, /findings by check: wal\.torn-tail \(1 warning\), sst\.footer \(1 error\)/)
  const table = await strataAsync(['verify', '--dir', dir, '--format', 'table'])
  t.regex(table.stdout, /SEVERITY.*CHECK.*FILE.*OFFSET/)
  const nd = await strataAsync(['verify', '--dir', dir, '--format', 'ndjson'])
  const lines = nd.stdout.trim().split('\n').map((l) => JSON.parse(l) as {type: string; check?: string; ok?: boolean})
  t.deepEqual(lines.map((l) => l.type), ['finding', 'finding', 'report'])
  t.false(lines[2].ok)
})

test('--progress writes progress to stderr, never stdout', async (t) => {
  const r = await strataAsync(['verify', '--dir', pristine, '--format', 'json', '--progress'])
  t.is(r.code, 0)
  JSON.parse(r.stdout)
  t.regex(r.stderr, /verify: \d+\/\d+ files checked/)
  const quiet = await strataAsync(['verify', '--dir', pristine, '--format', 'json'])
  t.is(quiet.stderr, '')
})

test('every help example of verify runs and exits 0 on a clean store', (t) => {
  const manifest = JSON.parse(fs.readFileSync(path.join(runJs, '..', '..', 'oclif.manifest.json'), 'utf8')) as {
    commands: Record<string, {examples?: Array<string | {command: string}>}>
  }
  const examples = manifest.commands.verify?.examples ?? []
  t.true(examples.length >= 3)
  const dir = copy()
  for (const ex of examples) {
    const command = (typeof ex === 'string' ? ex : ex.command).replaceAll('<%= config.bin %>', `node ${JSON.stringify(runJs)}`).replaceAll('<%= command.id %>', 'verify')
    const r = spawnSync('sh', ['-c', command], {env: {...cliEnv(), STRATA_DIR: dir}, encoding: 'utf8'})
    t.is(r.status, 0, `${command}\n${r.stderr}`)
  }
})
