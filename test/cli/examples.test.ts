/**
 * Every example in every command's help is real: run them all, in command
 * order, in one scratch directory (STRATA_DIR points into it), and expect
 * exit 0 from each.
 */
import test from 'ava'
import {spawnSync} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {BIN, ROOT, tempDir} from './helpers.js'

interface Manifest {
  commands: Record<string, {examples?: Array<string | {command: string; description: string}>}>
}

test('every help example runs and exits 0', (t) => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as Manifest
  const cwd = tempDir(t)
  writeFileSync(join(cwd, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  const env = {...process.env, STRATA_DIR: join(cwd, 'data'), CI: 'true'}
  let count = 0
  for (const id of ['init', 'put', 'get', 'scan', 'delete', 'compact', 'stats', 'digest', 'checkpoint', 'repair']) {
    for (const ex of manifest.commands[id]?.examples ?? []) {
      const template = typeof ex === 'string' ? ex : ex.command
      const command = template.replaceAll('<%= config.bin %>', `node ${JSON.stringify(BIN)}`).replaceAll('<%= command.id %>', id)
      const r = spawnSync('sh', ['-c', command], {cwd, env, encoding: 'utf8'})
      t.is(r.status, 0, `${command}\n${r.stderr}`)
      count++
    }
  }
  t.true(count >= 18, `ran ${count} examples`)
  t.deepEqual(readFileSync(join(cwd, 'logo.png')), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), 'get --raw wrote the bytes put --file stored')
})
