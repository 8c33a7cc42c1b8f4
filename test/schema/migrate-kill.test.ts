/**
 * kill -9 of the real CLI at random moments of migrate-schema, then a resume:
 * in every cycle, whatever the kill interrupted, the resumed run finishes
 * with every record of the schema at the target version holding the right
 * value, the other records untouched, the digest check passing, and its
 * digest equal to the digest of the template store read through the lazy
 * upgrade. The run's passes are on two threads: the log counts the kills
 * that left two shards in progress at once (both threads in their passes).
 */
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {spawn} from 'node:child_process'
import {SchemaView, applyChanges, createStore, digestStore, open, readRegistry, registerSchema, verifyStore} from '../../src/index.js'
import {prng} from '../../src/vfs/fault-fs.js'
import {cliEnv, runJs, strataAsync} from '../helpers/cli.js'
import {tempDir} from '../helpers/temp.js'
import {USER_VERSIONS} from './fixture.js'
import {decodeCheckedJson} from '../../src/schema/checked-json.js'

const CYCLES = Number(process.env.STRATA_MIGRATE_KILL_CYCLES ?? 60)
/** Enough that a run outlasts its second thread's start (about a quarter second) several times over, so that kills land while both threads are in their passes. */
const RECORDS = 4000
const ARGS = ['--schema', 'user', '--to-version', '4', '--chunk-size', '40']

/**
 * Runs migrate-schema on `dir`. `kill`: SIGKILL `afterMs` after the journal
 * (schemas/MIGRATION) first appears, or as soon as it appears. Resolves with
 * the exit code (null if killed), whether the journal was seen, and how long
 * it existed while this process watched.
 */
function run(dir: string, kill?: {afterMs: number} | {atJournal: true}): Promise<{code: number | null; seen: boolean; workMs: number; stderr: string}> {
  const journal = path.join(dir, 'schemas', 'MIGRATION')
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [runJs, 'migrate-schema', '--dir', dir, ...ARGS], {env: cliEnv(), stdio: ['ignore', 'ignore', 'pipe']})
    const err: Buffer[] = []
    child.stderr.on('data', (b: Buffer) => err.push(b))
    let seenAt: number | undefined
    let goneAt: number | undefined
    let timer: NodeJS.Timeout | undefined
    const poll = setInterval(() => {
      const exists = fs.existsSync(journal)
      if (seenAt === undefined && exists) {
        seenAt = Date.now()
        if (kill && 'atJournal' in kill) child.kill('SIGKILL')
        else if (kill) timer = setTimeout(() => child.kill('SIGKILL'), kill.afterMs)
      }
      if (seenAt !== undefined && goneAt === undefined && !exists) goneAt = Date.now()
    }, 1)
    child.on('error', reject)
    child.on('exit', (code) => {
      clearInterval(poll)
      if (timer) clearTimeout(timer)
      resolve({code, seen: seenAt !== undefined, workMs: seenAt === undefined ? 0 : (goneAt ?? Date.now()) - seenAt, stderr: Buffer.concat(err).toString()})
    })
  })
}

/** How many shards the journal at `file` lists as begun (a chunk durable) and not done. */
function shardsInProgress(file: string): number {
  const d = decodeCheckedJson(fs.readFileSync(file))
  if ('problem' in d) throw new Error(`${file}: ${d.problem}`)
  const shards = (d.object as {shards: Array<{after: string | null; done: boolean}>}).shards
  return shards.filter((s) => s.after !== null && !s.done).length
}

test.serial(`kill -9 at random moments of migrate-schema, then resume: every record right, digests agree (${CYCLES} cycles)`, async (t) => {
  t.timeout(1_800_000)
  const root = tempDir(t)
  const template = path.join(root, 'template')
  await createStore(template, {shards: 4})
  for (const doc of USER_VERSIONS) await registerSchema(template, 'user', doc)
  const s = await open(template, {walFlushBytes: 64 * 1024})
  const rand = prng(12)
  const expected = new Map<string, unknown>()
  for (let b = 0; b < RECORDS / 100; b++) {
    const ops = []
    for (let i = 0; i < 100; i++) {
      const n = b * 100 + i
      const key = `user:${String(n).padStart(5, '0')}`
      const version = 1 + (n % 3)
      const v1 = {name: `n${n}`, age: String(Math.floor(rand() * 90)), nickname: `k${n}`}
      const value = version === 1 ? v1 : version === 2 ? {...v1, age: Number(v1.age)} : {name: v1.name, age: Number(v1.age), city: `c${n}`}
      ops.push({type: 'put' as const, key, value: JSON.stringify(value), schema: `user@${version}`, ...(n % 50 === 0 ? {ttlMs: 86_400_000} : {})})
      const changes = USER_VERSIONS.slice(version).flatMap((d) => (d as {changes?: unknown[]}).changes ?? [])
      const up = applyChanges(value, changes as Parameters<typeof applyChanges>[1])
      expected.set(key, 'value' in up ? up.value : undefined)
    }
    ops.push({type: 'put' as const, key: `plain:${b}`, value: `text ${b}`})
    await s.batch(ops)
  }
  await s.close()
  const registry = readRegistry(template)
  const lazy = await digestStore(template, {at: 0, view: (e) => new SchemaView(template, undefined, registry).upgradeEntry(e)})

  /** Checks a finished store: all user records at v4 with the expected value, plain ones as written. */
  const check = async (dir: string, label: string): Promise<void> => {
    const r = await open(dir, {readOnly: true})
    let users = 0
    let plain = 0
    let wrong = 0
    try {
      for (const kv of r.scanSync()) {
        const k = kv.key.toString()
        if (k.startsWith('plain:')) {
          plain++
          if (kv.schema !== undefined || kv.value.toString() !== `text ${k.slice(6)}`) wrong++
          continue
        }
        users++
        if (kv.schema?.version !== 4 || JSON.stringify(JSON.parse(kv.value.toString())) !== JSON.stringify(expected.get(k))) wrong++
      }
    } finally {
      await r.close()
    }
    t.deepEqual([users, plain, wrong], [RECORDS, RECORDS / 100, 0], label)
    t.is((await digestStore(dir, {at: 0})).digest, lazy.digest, `${label}: digest`)
    t.is(verifyStore(dir).summary.errors, 0, `${label}: verify`)
    t.false(fs.existsSync(path.join(dir, 'schemas', 'MIGRATION')), `${label}: journal left`)
  }

  // Full runs time the work (the journal's life); a busy machine may not see it: at most three tries.
  let full = {code: null as number | null, seen: false, workMs: 0, stderr: ''}
  for (let i = 0; i < 3 && full.workMs === 0; i++) {
    const dir = path.join(root, `full${i}`)
    fs.cpSync(template, dir, {recursive: true})
    full = await run(dir)
    t.is(full.code, 0, full.stderr)
    await check(dir, `full run ${i}`)
  }
  t.true(full.workMs > 0, 'one of three full runs was seen working')

  const random = prng(20261129)
  const outcomes = {finished: 0, killedWithJournal: 0, killedWithoutJournal: 0, killedWhileBothWorked: 0}
  for (let c = 0; c < CYCLES; c++) {
    const dir = path.join(root, `c${c}`)
    fs.rmSync(path.join(root, `c${c - 1}`), {recursive: true, force: true})
    fs.cpSync(template, dir, {recursive: true})
    // Most kills at a random moment of the run (up to 1.2x its measured time); every fourth as soon as the journal appears.
    const kill = c % 4 === 3 ? {atJournal: true as const} : {afterMs: Math.floor(full.workMs * 1.2 * random())}
    const first = await run(dir, kill)
    if (first.code === 0) outcomes.finished++
    else if (fs.existsSync(path.join(dir, 'schemas', 'MIGRATION'))) {
      outcomes.killedWithJournal++
      // Two shards begun and not done at once: the kill landed while both threads were in their passes.
      if (shardsInProgress(path.join(dir, 'schemas', 'MIGRATION')) >= 2) outcomes.killedWhileBothWorked++
    } else outcomes.killedWithoutJournal++
    t.true(first.code === 0 || first.code === null, `cycle ${c}: exit ${first.code}: ${first.stderr}`)
    const resumed = await strataAsync(['migrate-schema', '--dir', dir, ...ARGS, '--resume', '--format', 'json'])
    t.is(resumed.code, 0, `cycle ${c}: ${resumed.stderr}`)
    const report = JSON.parse(resumed.stdout) as {verified: boolean; digestBefore: string; digestAfter: string}
    t.true(report.verified, `cycle ${c}`)
    t.is(report.digestAfter, lazy.digest, `cycle ${c}`)
    await check(dir, `cycle ${c}`)
  }
  t.log(`a full run worked for ${full.workMs} ms; outcomes ${JSON.stringify(outcomes)}`)
  t.is(outcomes.finished + outcomes.killedWithJournal + outcomes.killedWithoutJournal, CYCLES)
})
