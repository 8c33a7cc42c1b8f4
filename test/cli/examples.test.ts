/**
 * Every example in every command's help is real: run them all, in an order
 * where each finds what it needs (puts before reads, explain before delete,
 * dump after compact has written tables), in one scratch directory
 * (STRATA_DIR points into it), under bash with pipefail, and expect exit 0
 * from each. Two documented kinds of placeholder are filled in: file names
 * of a data directory (`data/shard-0000/000012.sst`: numbers differ per
 * store) become a real file of the same kind, and bench's key counts are
 * scaled down to keep the test short (its flags are otherwise run as written).
 */
import test from 'ava'
import {spawnSync} from 'node:child_process'
import {readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {BIN, ROOT, tempDir} from './helpers.js'

interface Manifest {
  commands: Record<string, {examples?: Array<string | {command: string; description: string}>}>
}

/** Commands in the order their examples run. */
const ORDER = ['init', 'put', 'get', 'scan', 'explain', 'delete', 'compact', 'stats', 'digest', 'serve', 'checkpoint', 'replicate', 'restore', 'verify', 'dump', 'schema:add', 'schema:list', 'schema:show', 'migrate-schema', 'bench', 'repair', 'shard-rebalance']

/** The kind of a data-directory file name: its extension, or MANIFEST. */
function kindOf(name: string): string | undefined {
  if (/^MANIFEST-\d+$/.test(name)) return 'MANIFEST'
  return /^\d+\.(sst|wal)$/.exec(name)?.[1]
}

/**
 * Replaces each `DIR/shard-NNNN/FILE` naming a file that does not exist with
 * an existing file of the same kind, in the same shard when it has one.
 * Returns undefined when no such file exists.
 */
export function fillFilePlaceholders(command: string, cwd: string): string | undefined {
  let missing = false
  const out = command.replaceAll(/([\w.-]+)\/shard-(\d{4})\/((?:MANIFEST-)?\d+(?:\.sst|\.wal)?)/g, (whole, dir: string, shard: string, file: string) => {
    const kind = kindOf(file)
    const shards = readdirSync(join(cwd, dir)).filter((n) => n.startsWith('shard-')).sort()
    for (const s of [`shard-${shard}`, ...shards]) {
      let names: string[]
      try {
        names = readdirSync(join(cwd, dir, s)).sort()
      } catch {
        continue
      }
      if (names.includes(file)) return whole
      const found = names.find((n) => kindOf(n) === kind)
      if (found !== undefined) return `${dir}/${s}/${found}`
    }
    missing = true
    return whole
  })
  return missing ? undefined : out
}

/** bench at its example sizes takes minutes: the same flags, fewer keys and durable puts. */
function scaleBench(command: string): string {
  const scaled = command.replaceAll(/--keys[ =]\d+/g, '--keys 2000')
  return `${scaled.includes('--keys') ? scaled : `${scaled} --keys 2000`} --durable-puts 20`
}

/**
 * An example that runs a command under `timeout N` (replicate --follow) exits 0
 * only if the signal arrives after the command installed its handler. A person
 * at a terminal waits about half a second for that; beside this suite's other
 * workers start-up alone has taken more than 5 s, and a SIGTERM before the
 * handler ends the process with 143. The test gives it 30 s.
 */
function scaleTimeout(command: string): string {
  return command.replaceAll(/timeout --preserve-status \d+ /g, 'timeout --preserve-status 30 ')
}

test('every help example runs and exits 0', (t) => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as Manifest
  t.deepEqual([...ORDER].sort(), Object.keys(manifest.commands).sort(), 'every command has a place in ORDER')
  const cwd = tempDir(t)
  writeFileSync(join(cwd, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  const env = {...process.env, STRATA_DIR: join(cwd, 'data'), CI: 'true', OCLIF_SKIP_NEW_VERSION_CHECK: 'true'}
  let count = 0
  for (const id of ORDER) {
    const examples = manifest.commands[id]?.examples ?? []
    t.true(examples.length > 0, `${id} has examples`)
    for (const ex of examples) {
      const template = typeof ex === 'string' ? ex : ex.command
      let command = template.replaceAll('<%= config.bin %>', `node ${JSON.stringify(BIN)}`).replaceAll('<%= command.id %>', id)
      if (id === 'bench') command = scaleBench(command)
      command = scaleTimeout(command)
      const filled = fillFilePlaceholders(command, cwd)
      if (filled === undefined) {
        t.fail(`no file of the kind this example names: ${command}`)
        continue
      }
      const r = spawnSync('bash', ['-o', 'pipefail', '-c', filled], {cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']})
      t.is(r.status, 0, `${filled}\n${r.stderr}`)
      count++
    }
  }
  t.true(count >= 35, `ran ${count} examples`)
  t.deepEqual(readFileSync(join(cwd, 'logo.png')), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), 'get --raw wrote the bytes put --file stored')
})
