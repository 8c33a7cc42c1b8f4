/**
 * Torn-tail sweep (LevelDB's log_test, corruption_test): a one-shard store
 * whose live WAL holds records of every shape (puts small and large,
 * deletes, multi-entry batches, TTLs) is cut at every byte of the WAL's
 * last 64 KiB. Every cut must open, and recover exactly the complete
 * records before the cut: the shard's last sequence number and memtable
 * size say how many records were replayed, and at every record boundary
 * (and every 128th cut) the whole contents are compared with the model.
 * Every 512th cut, and around every boundary, the store is also opened as
 * the writer (which cuts the torn tail off), written to, reopened and
 * verified. A second sweep zero-fills instead of removing (the file's size
 * reached the disk, its last sectors did not): from every 512-byte sector
 * boundary and every record boundary in the window (BUG-2).
 *
 * STRATA_TORN_TAIL_BYTES sets the window (default 65536).
 */
import test, {type ExecutionContext} from 'ava'
import {createStore, open} from '../../src/index.js'
import {FaultFileSystem} from '../../src/vfs/fault-fs.js'
import {envCount, printSeedOnFailure, reproduce, Rng, seedFor} from './lib/seed.js'
import {Failures, describeError, memRoot, verifyProblem} from './lib/stores.js'
import {contentsOf, execute, sameContents, keyPool, modelAfter, mutationsOf, randomOp, type Contents, type Mutation} from './lib/workload.js'

const WINDOW = envCount('STRATA_TORN_TAIL_BYTES', 64 * 1024)
const T0 = 1_700_000_000_000

interface Wal {
  readonly fs: FaultFileSystem
  readonly dir: string
  readonly walPath: string
  readonly bytes: Buffer
  /** ends[i]: WAL size after record i (the header ends at ends[-1] = 20). */
  readonly ends: number[]
  /** Sequence number of the last entry of record i. */
  readonly lastSeqs: number[]
  /** Distinct keys written by records 0..i (the memtable's size after replaying them). */
  readonly distinct: number[]
  readonly steps: Mutation[][]
}

async function buildWal(): Promise<Wal> {
  const rng = new Rng(seedFor('torn-tail'))
  const fs = new FaultFileSystem()
  const root = memRoot('torn')
  const dir = `${root}/db`
  fs.mkdir(root)
  await createStore(dir, {fs, shards: 1, compression: 'none'})
  const s = await open(dir, {fs, sync: 'none', walFlushBytes: 1 << 30, now: () => T0})
  const walPath = [...fs.listFiles(dir).keys()].find((p) => p.endsWith('.wal'))!
  const keys = keyPool(rng, 300)
  const ends: number[] = []
  const lastSeqs: number[] = []
  const distinct: number[] = []
  const steps: Mutation[][] = []
  const seen = new Set<string>()
  let seq = 0
  while (ends.length === 0 || ends.at(-1)! < WINDOW + 8 * 1024) {
    const op = randomOp(rng, keys, `t${ends.length}`, {maintenance: false})
    const muts = mutationsOf(op, T0)
    await execute(s, op)
    steps.push(muts)
    seq += muts.length
    for (const m of muts) seen.add(m.key)
    ends.push(fs.fileSize(walPath))
    lastSeqs.push(seq)
    distinct.push(seen.size)
  }
  await s.close()
  return {fs, dir, walPath, bytes: fs.readFile(walPath), ends, lastSeqs, distinct, steps}
}

/** Records wholly before `cut`. */
function completeBefore(w: Wal, cut: number): number {
  let lo = 0
  let hi = w.ends.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (w.ends[mid] <= cut) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** The first offset at or after `from` whose byte is not zero; the length if none. */
function firstNonZero(bytes: Buffer, from: number): number {
  let i = from
  while (i < bytes.length && bytes[i] === 0) i++
  return i
}


/**
 * `fill` 'cut': the WAL ends at the cut. 'zero': the bytes from the cut to the
 * old end read as zeros; cuts at sector (512-byte) boundaries and at record
 * boundaries only, the places a power loss can leave zeros from.
 */
async function sweep(t: ExecutionContext, fill: 'cut' | 'zero'): Promise<void> {
  let current = ''
  printSeedOnFailure(t, () => current)
  const w = await buildWal()
  const failures = new Failures()
  const boundaries = new Set<number>()
  for (const e of w.ends) for (const d of [-1, 0, 1]) boundaries.add(e + d)
  const from = Math.max(20, w.bytes.length - WINDOW)
  let opens = 0
  let writerOpens = 0
  for (let cut = w.bytes.length; cut >= from; cut--) {
    const boundary = boundaries.has(cut)
    if (fill === 'zero' && cut % 512 !== 0 && !w.ends.includes(cut)) continue
    current = `${fill} at byte ${cut} of ${w.bytes.length}`
    const data = fill === 'cut' ? w.bytes.subarray(0, cut) : Buffer.concat([w.bytes.subarray(0, cut), Buffer.alloc(w.bytes.length - cut)])
    w.fs.writeFileDurable(w.walPath, data)
    // Judge by the bytes that changed: zero-filling bytes that were already
    // zero (a record may end in one) damages nothing, so the records that
    // survive are those wholly before the first byte the fill altered.
    const damagedFrom = fill === 'cut' ? cut : firstNonZero(w.bytes, cut)
    if (damagedFrom !== cut) current += ` (first changed byte ${damagedFrom})`
    const records = completeBefore(w, damagedFrom)
    const expectSeq = records === 0 ? 0 : w.lastSeqs[records - 1]
    const expectEntries = records === 0 ? 0 : w.distinct[records - 1]
    try {
      const r = await open(w.dir, {fs: w.fs, readOnly: true, now: () => T0})
      opens++
      try {
        const st = r.stats().shards[0]
        if (st.lastSeq !== expectSeq || st.memtableEntries !== expectEntries) {
          failures.add(`${current}: recovered up to seq ${st.lastSeq} with ${st.memtableEntries} keys; the ${records} complete records end at seq ${expectSeq} with ${expectEntries} keys`)
          continue
        }
        if (boundary || cut % 128 === 0) {
          if (!sameContents(contentsOf(r), modelAfter(w.steps.slice(0, records), T0))) failures.add(`${current}: contents differ from the first ${records} records`)
        }
      } finally {
        await r.close()
      }
    } catch (err) {
      failures.add(`${current}: read-only open failed: ${describeError(err)}`)
      continue
    }
    if (!(boundary || cut % 512 === 0)) continue
    try {
      const s = await open(w.dir, {fs: w.fs, sync: 'always', now: () => T0})
      await s.put('after-the-cut', 'x')
      await s.close()
      writerOpens++
      const r = await open(w.dir, {fs: w.fs, readOnly: true, now: () => T0})
      const got = contentsOf(r)
      await r.close()
      const expect = modelAfter(w.steps.slice(0, records), T0)
      expect.set(Buffer.from('after-the-cut').toString('hex'), {value: Buffer.from('x')})
      if (!sameContents(got, expect)) failures.add(`${current}: after the writer cut the tail and wrote, the contents are not the ${records} records plus the new write`)
      const v = verifyProblem(w.dir, w.fs)
      if (v !== undefined) failures.add(`${current}: ${v}`)
    } catch (err) {
      failures.add(`${current}: writer open failed: ${describeError(err)}`)
    }
  }
  t.log(`${w.ends.length} records, WAL ${w.bytes.length} bytes; ${opens} read-only opens over the last ${w.bytes.length - from} bytes, ${writerOpens} writer opens`)
  failures.report(t, `torn-tail (${reproduce()})`)
  t.true(opens > 0 && writerOpens > 0, 'cuts were read back, and some reopened as writer')
}

test(`a WAL cut at every byte of its last ${WINDOW} bytes opens and recovers exactly the complete records before the cut`, (t) => sweep(t, 'cut'))

test(`BUG-2: a WAL whose sectors from any sector or record boundary of its last ${WINDOW} bytes read as zeros opens and recovers exactly the complete records before them`, (t) => sweep(t, 'zero'))
