/**
 * Power loss across a shard-rebalance, on the fault-injecting filesystem:
 * before every filesystem call of a rebalance that changes durable state
 * (flush, journal, each new shard folder, the STORE switch, the cleanup),
 * the image a power loss would leave is taken. Every image must open as
 * exactly the old store (N shards, old generation) or exactly the new one
 * (M shards, next generation), with the digest of before, verify clean; and
 * from every image `--resume` must finish the rebalance and `--abort` must
 * either restore the old store (before the commit point) or finish the
 * cleanup (after it), leaving no journal and no folder of another generation.
 */
import test from 'ava'
import {createStore, digestStore, open, rebalance} from '../../src/index.js'
import {readDescriptor} from '../../src/store/descriptor.js'
import {FaultFileSystem, MUTATING_KINDS, type CrashMode} from '../../src/vfs/fault-fs.js'
import {parseShardDir, REBALANCE_FILE} from '../../src/layout/names.js'
import {Failures, describeError, memRoot, verifyProblem} from '../reliability/lib/stores.js'

const T0 = 1_700_000_000_000
const MODES: readonly CrashMode[] = ['drop', 'mixed', 'garbage', 'torn-zero']

interface Image {
  readonly fs: FaultFileSystem
  readonly where: string
}

/** A store of `shards` shards on `fs`: tables and a WAL tail, TTLs, JSON values, binary keys, deletes. */
async function fill(fs: FaultFileSystem, dir: string, shards: number): Promise<void> {
  await createStore(dir, {fs, shards})
  fs.syncDir(memRoot('rb'))
  const s = await open(dir, {fs, sync: 'always', now: () => T0, walFlushBytes: 4096})
  for (let i = 0; i < 240; i++) {
    await s.put(`k${i}`, `value ${i} `.repeat(1 + (i % 5)), {
      ...(i % 7 === 0 ? {expiresAt: T0 + 3_600_000} : {}),
      ...(i % 11 === 0 ? {expiresAt: T0 - 1} : {}),
    })
  }
  await s.batch([
    {type: 'put', key: Buffer.from([0, 255, 1]), value: Buffer.from([9, 0, 9])},
    {type: 'put', key: 'json', value: '{"a":1}', json: true},
    {type: 'del', key: 'k3'},
    {type: 'del', key: 'k4'},
  ])
  await s.close()
}

/** The folders of other generations than STORE's, and whether a journal exists. */
function leftovers(fs: FaultFileSystem, dir: string): string[] {
  const gen = readDescriptor(fs, dir).shardGeneration
  return fs.readdir(dir).filter((n) => n === REBALANCE_FILE || (parseShardDir(n) !== undefined && parseShardDir(n)!.generation !== gen))
}

for (const [from, to] of [[3, 5], [4, 2]] as const) {
  test(`power loss at every step of ${from} to ${to} shards leaves the old or the new store, and resume or abort finishes`, async (t) => {
    const fs = new FaultFileSystem()
    const root = memRoot('rb')
    const dir = `${root}/db`
    fs.mkdir(root)
    fs.syncDir('/')
    await fill(fs, dir, from)
    const before = (await digestStore(dir, {fs, at: T0})).digest
    const images: Image[] = []
    let phase = 'start'
    fs.onCall = (kind, path) => {
      if (path.endsWith('/STORE.tmp') && kind === 'rename') phase = 'switch'
      if (!MUTATING_KINDS.has(kind)) return
      const n = images.length
      images.push({fs: fs.crashImage({mode: MODES[n % MODES.length], seed: n + 1, dirChanges: n % 2 === 0 ? 'undo' : 'prefix'}), where: `call ${n} (${phase}): before ${kind} ${path.slice(root.length)}`})
    }
    // Progress recorded after every new shard in one case, at the default pace in the other.
    const report = await rebalance(dir, {fs, shards: to, now: () => T0, ...(to > from ? {journalEveryMs: 0} : {})})
    fs.onCall = undefined
    t.is(report.digestAfter, before)
    t.true(images.length > 20, `${images.length} images`)

    const failures = new Failures()
    const seen = {old: 0, new: 0, resumed: 0, aborted: 0, restored: 0}
    for (const [i, image] of images.entries()) {
      const img = image.fs
      const problem = async (): Promise<string | undefined> => {
        const desc = readDescriptor(img, dir)
        const isOld = desc.shardGeneration === 0 && desc.shardCount === from
        const isNew = desc.shardGeneration === 1 && desc.shardCount === to
        if (!isOld && !isNew) return `STORE says generation ${desc.shardGeneration} with ${desc.shardCount} shards`
        if (isOld) seen.old++
        else seen.new++
        const d = (await digestStore(dir, {fs: img, at: T0})).digest
        if (d !== before) return `the ${isOld ? 'old' : 'new'} store's digest changed`
        const v = verifyProblem(dir, img)
        if (v !== undefined) return `image: ${v}`
        if (i % 2 === 0) {
          const r = await rebalance(dir, {fs: img, shards: to, resume: true, now: () => T0})
          seen.resumed++
          const after = readDescriptor(img, dir)
          if (after.shardCount !== to) return `resume left ${after.shardCount} shards (${r.action})`
        } else {
          const r = await rebalance(dir, {fs: img, abort: true, now: () => T0})
          seen.aborted++
          const after = readDescriptor(img, dir)
          if (isOld && (after.shardCount !== from || after.shardGeneration !== 0)) return `abort left ${after.shardCount} shards, generation ${after.shardGeneration}`
          if (isOld && r.action === 'aborted') seen.restored++
          if (isNew && after.shardCount !== to) return `abort after the commit point changed the store (${r.action})`
        }
        const rest = leftovers(img, dir)
        if (rest.length > 0) return `left behind: ${rest.join(', ')}`
        if ((await digestStore(dir, {fs: img, at: T0})).digest !== before) return 'the digest changed after resume/abort'
        const again = verifyProblem(dir, img)
        if (again !== undefined) return `after resume/abort: ${again}`
        // The store takes writes again.
        const w = await open(dir, {fs: img, now: () => T0})
        await w.put('after', 'x')
        await w.close()
        return undefined
      }
      try {
        const p = await problem()
        if (p !== undefined) failures.add(`${image.where}: ${p}`)
      } catch (err) {
        failures.add(`${image.where}: ${describeError(err)}`)
      }
    }
    failures.report(t, 'crash image')
    t.true(seen.old > 0 && seen.new > 0, `images of the old store: ${seen.old}, of the new: ${seen.new}`)
    t.is(seen.old + seen.new, images.length)
    t.true(seen.restored > 0, 'some abort threw away an unfinished rebalance')
    t.log(`${images.length} images: ${seen.old} old, ${seen.new} new; ${seen.resumed} resumed, ${seen.aborted} aborted (${seen.restored} restored)`)
  })
}
