/**
 * Background flushes and compactions (src/store/shard-background.ts):
 *   - kill -9 of a real writer process at the moment a background compaction
 *     (in one shard) and a background flush (in another) have built and synced
 *     their tables but not installed them (the worker's test hook holds them
 *     there): the store opens, verifies clean, holds every acknowledged write,
 *     and the writer's open removes the unreferenced tables;
 *   - the fault filesystem runs the inline path (it is not the real one, and
 *     `background: true` over it is refused), and power loss at every
 *     durable-state-changing call of a workload with inline flushes and
 *     compactions keeps every acknowledged write;
 *   - which writers work in the background by default (the real filesystem)
 *     and which never do (readers, another filesystem);
 *   - a flush job that cannot even be made stops the store before anything
 *     changes, and loses no acknowledged write;
 *   - a background flush below level 0 is cut into as many tables as its
 *     records fill (it reserves file numbers for them).
 */
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {createHash} from 'node:crypto'
import {spawn} from 'node:child_process'
import {createStore, open, ErrorCode, type OpenOptions} from '../../src/index.js'
import {FaultFileSystem, MUTATING_KINDS} from '../../src/vfs/fault-fs.js'
import {nodeFileSystem} from '../../src/vfs/node-fs.js'
import {backgroundWork} from '../../src/store/shard-context.js'
import {Memtable} from '../../src/store/memtable.js'
import {BackgroundWorker} from '../../src/store/background.js'
import type {BackgroundJob} from '../../src/store/bg-jobs.js'
import {tempDir, repoRoot} from '../helpers/temp.js'
import {BATCH, bgKey, bgValue} from '../helpers/bg-writer.js'
import {Failures, describeError, memRoot, verifyProblem} from './lib/stores.js'

const writer = path.join(repoRoot, 'dist', 'test', 'helpers', 'bg-writer.js')

interface Held {
  readonly kind: string
  readonly shard: number
  readonly tables: readonly string[]
}

/** Runs the writer until the worker holds a compaction and a flush, kills it; returns the held jobs and the last acknowledged batch. */
function runUntilHeld(dir: string, work: string): Promise<{held: Held[]; lastAck: number}> {
  const marker = path.join(work, 'held')
  const logPath = path.join(work, 'acks')
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writer, dir, logPath], {stdio: ['ignore', 'ignore', 'pipe'], env: {...process.env, STRATA_TEST_BG_HOLD: marker}})
    let err = ''
    let held: Held[] = []
    const poll = setInterval(() => {
      if (!fs.existsSync(marker)) return
      held = fs.readFileSync(marker, 'utf8').split('\n').filter((l) => l !== '').map((l) => {
        const [kind, shard, ...tables] = l.split(' ')
        return {kind, shard: Number(shard), tables}
      })
      if (held.some((h) => h.kind === 'compact') && held.some((h) => h.kind === 'flush')) child.kill('SIGKILL')
    }, 5)
    child.stderr.on('data', (d) => (err += d))
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearInterval(poll)
      if (signal !== 'SIGKILL') return reject(new Error(`writer exited ${code}: ${err}`))
      const acks = fs.existsSync(logPath) ? fs.readFileSync(logPath, 'utf8').split('\n').filter((l) => l.startsWith('ack ')) : []
      resolve({held, lastAck: acks.length === 0 ? -1 : Number(acks.at(-1)!.slice(4))})
    })
  })
}

test('kill -9 while a background compaction and a background flush are built but not installed loses no acknowledged write', async (t) => {
  const work = tempDir(t)
  const dir = path.join(work, 'db')
  await createStore(dir, {shards: 2})
  const {held, lastAck} = await runUntilHeld(dir, work)
  // The kill landed where the hook holds the jobs: tables written and synced, no manifest naming them.
  const compactions = held.filter((h) => h.kind === 'compact')
  const flushes = held.filter((h) => h.kind === 'flush')
  t.true(compactions.length >= 1 && flushes.length >= 1, JSON.stringify(held))
  t.true(flushes.some((f) => compactions.every((c) => c.shard !== f.shard)), 'a flush held in another shard than the compaction')
  const shardDirs = fs.readdirSync(dir).filter((n) => n.startsWith('shard-')).sort()
  t.is(shardDirs.length, 2)
  const heldFiles = held.flatMap((h) => h.tables.map((name) => path.join(dir, shardDirs[h.shard], name)))
  t.true(heldFiles.length >= 2 && heldFiles.every((f) => fs.existsSync(f)), `held tables on disk: ${heldFiles.join(', ')}`)
  t.true(lastAck >= 10, `acknowledged batches: ${lastAck + 1}`)

  t.is(verifyProblem(dir), undefined)
  const checkAcked = async (what: string): Promise<void> => {
    const r = await open(dir, {readOnly: true})
    const failures = new Failures()
    for (let n = 0; n <= lastAck; n++) {
      for (let i = 0; i < BATCH; i++) {
        const got = r.getSync(bgKey(n, i))?.value.toString()
        if (got !== bgValue(n, i)) failures.add(`${what}: batch ${n} key ${i} is ${got}`)
      }
    }
    await r.close()
    failures.report(t, what)
  }
  await checkAcked('after the kill')
  // The writer's open of each shard (stats opens them all) removes the tables no manifest names, and keeps everything.
  const w = await open(dir, {background: false})
  t.is(w.stats().shards.length, 2)
  await w.close()
  t.true(heldFiles.every((f) => !fs.existsSync(f)), 'the unreferenced tables are gone')
  await checkAcked('after the writer reopened')
  t.is(verifyProblem(dir), undefined)
})

test('a store over the fault filesystem runs inline and refuses background: true', async (t) => {
  const faults = new FaultFileSystem()
  const dir = `${memRoot('bg')}/db`
  faults.mkdir(memRoot('bg'))
  await createStore(dir, {fs: faults, shards: 1})
  const e = await t.throwsAsync(open(dir, {fs: faults, background: true}))
  t.is((e as {code?: string}).code, ErrorCode.INVALID_ARGUMENT)
  // The same refusal leaves the store openable (the lock was released).
  const s = await open(dir, {fs: faults, sync: 'none', walFlushBytes: 1024})
  let tables = 0
  faults.onCall = (kind, p) => {
    if (kind === 'create' && p.endsWith('.sst')) tables++
  }
  await s.batch(Array.from({length: 20}, (_, i) => ({type: 'put' as const, key: `k${i}`, value: 'v'.repeat(100)})))
  // Inline: the batch itself wrote the table through this filesystem before it resolved.
  t.is(tables, 1)
  t.is(s.stats().totals.tables, 1)
  await s.close()
})

test('power loss at every durable change of a workload with inline flushes and compactions keeps every acknowledged write', async (t) => {
  const faults = new FaultFileSystem()
  const root = memRoot('bgpl')
  const dir = `${root}/db`
  faults.mkdir(root)
  faults.syncDir('/')
  await createStore(dir, {fs: faults, shards: 2})
  faults.syncDir(root)
  const options: OpenOptions = {fs: faults, sync: 'always', walFlushBytes: 2048, compactionTrigger: 2, levelBaseBytes: 8 * 1024}
  const s = await open(dir, options)
  let acked = 0
  const images: {image: FaultFileSystem; acked: number}[] = []
  let tablesCreated = 0
  faults.onCall = (kind, p) => {
    if (kind === 'create' && p.endsWith('.sst')) tablesCreated++
    if (MUTATING_KINDS.has(kind)) images.push({image: faults.crashImage({mode: 'drop'}), acked})
  }
  const key = (n: number, i: number): string => `k${(n * 31 + i * 17) % 97}-${n}-${i}`
  for (let n = 0; n < 60; n++) {
    await s.batch(Array.from({length: 4}, (_, i) => ({type: 'put' as const, key: key(n, i), value: `v${n}/${i}`.padEnd(60, '.')})))
    acked = n + 1
  }
  faults.onCall = undefined
  const activity = (s as unknown as {activity(): {flushes: number; compactions: number}}).activity()
  await s.close()
  t.true(activity.flushes >= 3 && activity.compactions >= 1, JSON.stringify(activity))
  t.true(tablesCreated >= 4, `tables written through the fault filesystem: ${tablesCreated}`)
  t.true(images.length >= 100, `crash images: ${images.length}`)
  const failures = new Failures()
  for (const [c, {image, acked: n}] of images.entries()) {
    const at = `${memRoot('img')}${c}/db`
    image.mkdir(`${memRoot('img')}${c}`)
    image.relocate(dir, at)
    const problem = verifyProblem(at, image)
    if (problem !== undefined) failures.add(`image ${c}: ${problem}`)
    try {
      const r = await open(at, {fs: image, readOnly: true})
      for (let b = 0; b < n; b++) {
        for (let i = 0; i < 4; i++) {
          const got = r.getSync(key(b, i))?.value.toString()
          if (got !== `v${b}/${i}`.padEnd(60, '.')) failures.add(`image ${c}: batch ${b} key ${i} is ${got}`)
        }
      }
      await r.close()
    } catch (err) {
      failures.add(`image ${c}: open failed: ${describeError(err)}`)
    }
  }
  failures.report(t, 'crash image')
})

test('a writer on the real filesystem works in the background unless told not to; a reader and another filesystem never do', (t) => {
  t.true(backgroundWork({}, nodeFileSystem), 'the default on the real filesystem')
  t.false(backgroundWork({background: false}, nodeFileSystem))
  t.false(backgroundWork({readOnly: true}, nodeFileSystem), 'a reader builds no tables')
  t.false(backgroundWork({readOnly: true, background: true}, nodeFileSystem))
  t.false(backgroundWork({}, new FaultFileSystem()), 'the default over another filesystem is the inline path')
})

/**
 * Holds the first compaction any store of this process starts before it
 * reaches the worker, until `release`; `restore` puts the worker back as it was.
 */
function holdFirstCompaction(): {readonly held: boolean; release(): void; restore(): void} {
  const originalJob = BackgroundWorker.prototype.run
  let release!: () => void
  const gate = new Promise<void>((resolve) => (release = resolve))
  let held = false
  BackgroundWorker.prototype.run = function (this: BackgroundWorker, job: BackgroundJob) {
    if (job.kind !== 'compact' || held) return originalJob.call(this, job)
    held = true
    return gate.then(() => originalJob.call(this, job))
  }
  return {
    get held() {
      return held
    },
    release,
    restore: () => {
      BackgroundWorker.prototype.run = originalJob
    },
  }
}

test.serial('a flush job that cannot be made as another job ends stops the store with the memtable still live: every acknowledged write survives', async (t) => {
  const dir = tempDir(t)
  await createStore(dir, {shards: 1})
  const flushBytes = 32 * 1024
  const value = (i: number): string => `value ${i} ${'x'.repeat(100)}`
  // Keys spread over the whole range, so that every flush overlaps level 0 and stays there.
  const name = (i: number): string => `k${String((i * 7919) % 100_003).padStart(6, '0')}`
  const hold = holdFirstCompaction()
  // Once armed, copying a memtable for its flush fails, as an allocation too large for the heap would.
  const originalUnsorted = Memtable.prototype.unsortedRun
  let armed = false
  let failed = false
  Memtable.prototype.unsortedRun = function (this: Memtable) {
    if (armed && !failed) {
      failed = true
      throw new Error('no room for the run')
    }
    return originalUnsorted.call(this)
  }
  const acknowledged: number[] = []
  let failure: unknown
  let walAtRelease = 0
  try {
    const store = await open(dir, {walFlushBytes: flushBytes, background: true})
    const walBytes = (): number => store.stats().shards[0].walBytes
    // Sequential writes: flushes start as the memtable fills, until level 0 calls for a compaction.
    let i = 0
    for (; !hold.held && i < 20_000; i++) {
      await store.put(name(i), value(i))
      acknowledged.push(i)
    }
    // While the compaction is held, the memtable fills to walFlushBytes (not twice that: no write waits for the job).
    for (; hold.held && walBytes() < flushBytes; i++) {
      await store.put(name(i), value(i))
      acknowledged.push(i)
    }
    walAtRelease = walBytes()
    // The compaction ends with a flush due: the flush starts as that job ends, where no writer waits to be told it failed.
    armed = true
    hold.release()
    for (let n = 0; n < 20_000 && failure === undefined; n++, i++) {
      try {
        await store.put(name(i), value(i))
        acknowledged.push(i)
      } catch (err) {
        failure = err
      }
    }
    await store.close().catch(() => undefined)
  } finally {
    hold.restore()
    Memtable.prototype.unsortedRun = originalUnsorted
  }
  t.true(hold.held, 'a compaction was started and held')
  t.true(walAtRelease >= flushBytes && walAtRelease < 2 * flushBytes, `WAL bytes when the compaction ended: ${walAtRelease}`)
  t.true(failed, 'copying the memtable failed')
  t.regex(String((failure as Error | undefined)?.message), /no room for the run/)
  t.is(verifyProblem(dir), undefined)
  const reopened = await open(dir, {readOnly: true})
  const missing = acknowledged.filter((i) => reopened.getSync(name(i))?.value.toString() !== value(i))
  await reopened.close()
  t.true(acknowledged.length > 1000, `${acknowledged.length} writes acknowledged`)
  t.deepEqual(missing, [])
})

test.serial('a background flush below level 0 of a memtable that grew during a compaction is cut into several tables', async (t) => {
  const dir = tempDir(t)
  await createStore(dir, {shards: 1})
  const flushBytes = 32 * 1024
  // Tables below level 0 are cut at 64 KiB (levelBaseBytes / 4).
  const options = {walFlushBytes: flushBytes, levelBaseBytes: 256 * 1024, background: true}
  const value = (name: string): Buffer => createHash('sha256').update(name).digest()
  const values = (name: string): Buffer => Buffer.concat([0, 1, 2, 3].map((i) => value(`${name}/${i}`)))
  const hold = holdFirstCompaction()
  const written: string[] = []
  let walAtRelease = 0
  let flushedInBackground = false
  let levels: ReadonlyArray<{readonly level: number; readonly tables: number}> = []
  try {
    const store = await open(dir, options)
    const put = async (name: string): Promise<void> => {
      await store.put(name, values(name))
      written.push(name)
    }
    // Four level-0 tables of keys spread over 'a…', each flushed at once: the fourth flush leaves
    // the memtable empty and starts the compaction they call for, which is held.
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 50; i++) await put(`a${String(((round * 50 + i) * 7919) % 100_003).padStart(6, '0')}`)
      await store.flush()
    }
    // Meanwhile keys above all of them, with incompressible values, fill the memtable to 2.5 × walFlushBytes
    // (writes wait only at 3×): its flush will overlap nothing and go to level 2, cut at 64 KiB.
    for (let i = 0; hold.held && store.stats().shards[0].walBytes < 2.5 * flushBytes; i++) await put(`z${String(i).padStart(6, '0')}`)
    walAtRelease = store.stats().shards[0].walBytes
    const flushes = (): number => (store as unknown as {activity(): {flushes: number}}).activity().flushes
    const before = flushes()
    hold.release()
    // The compaction ends, and the flush it leaves due starts on the worker as it does.
    for (let waited = 0; flushes() === before && waited < 20_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10))
    flushedInBackground = flushes() > before
    levels = store.stats().shards[0].levels
    await put('zz after the flush')
    await store.close()
  } finally {
    hold.restore()
  }
  t.true(hold.held, 'a compaction was held')
  t.true(walAtRelease >= 2.5 * flushBytes && walAtRelease < 3 * flushBytes, `WAL bytes when the compaction ended: ${walAtRelease}`)
  t.true(flushedInBackground, 'the flush ran in the background')
  t.true((levels.find((l) => l.level === 2)?.tables ?? 0) >= 2, `levels after the flush: ${JSON.stringify(levels)}`)
  t.is(verifyProblem(dir), undefined)
  const reopened = await open(dir, {readOnly: true})
  const wrong = written.filter((name) => !reopened.getSync(name)?.value.equals(values(name)))
  await reopened.close()
  t.deepEqual(wrong, [])
})
