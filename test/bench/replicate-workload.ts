/**
 * strata only: replication to a directory. An N-key store (the benchmark's
 * keys and values, loaded untimed, flushed) is copied with `cp -r` (and the
 * copy's files then fsynced, timed apart: a durable copy's floor), then
 * replicated to a fresh directory replica and restored from it, each timed
 * in this process through the library call; the ratios to `cp -r` of the
 * same store in the same run are reported (the restore with --verify full,
 * which recomputes the digest, and with quick, which only hashes objects;
 * replicate always computes the cut's digest). Then 1,000 puts and a second
 * replicate: the bytes it ships. Last, a `--follow`-style replication, into
 * that same replica, with a 1 s interval of the store held open by a writer
 * doing 2,000 puts/s for 6 s: the largest lag, i.e. how long the replica's
 * newest cut was behind the writer just before the next cut landed. Checked: the restore's digest
 * equals the source's, and a sample of values reads back.
 */
import * as path from 'node:path'
import {spawnSync} from 'node:child_process'
import {closeSync, fsyncSync, openSync, readdirSync} from 'node:fs'
import {createStore, digestStore, open, replicate, restore} from '../../src/index.js'
import {Rng, keyOf, valueMatches, valueOf} from './data.js'
import {BenchCheckError, Checker, type WorkloadResult, type WorkloadSpec} from './spec.js'

const FOLLOW_MS = 6000
const FOLLOW_RATE = 2000

export async function replicateWorkload(spec: WorkloadSpec): Promise<WorkloadResult> {
  if (spec.engine !== 'strata') throw new Error(`${spec.engine} has no replicate`)
  const dir = path.join(spec.dir, 'store')
  await createStore(dir, {...(spec.strata.compression === undefined ? {} : {compression: spec.strata.compression})})
  const s = await open(dir, {sync: 'none'})
  for (let b = 0; b < spec.keys; b += 1000) {
    const end = Math.min(spec.keys, b + 1000)
    await s.batch(Array.from({length: end - b}, (_, k) => ({type: 'put' as const, key: keyOf(b + k), value: valueOf(b + k, 0, spec.valueBytes)})))
  }
  await s.flush()
  await s.close()

  let t0 = performance.now()
  const cp = spawnSync('cp', ['-r', dir, path.join(spec.dir, 'cp')])
  const cpMs = performance.now() - t0
  if (cp.status !== 0) throw new Error(`cp -r failed: ${cp.stderr}`)
  t0 = performance.now()
  syncTree(path.join(spec.dir, 'cp'))
  const cpSyncMs = cpMs + (performance.now() - t0)

  const replica = path.join(spec.dir, 'replica')
  t0 = performance.now()
  const first = (await replicate(dir, replica)).cuts[0]
  const replicateMs = performance.now() - t0

  t0 = performance.now()
  await restore(replica, path.join(spec.dir, 'restored-quick'), {verify: 'quick'})
  const restoreQuickMs = performance.now() - t0

  const out = path.join(spec.dir, 'restored')
  t0 = performance.now()
  const restored = await restore(replica, out)
  const restoreMs = performance.now() - t0
  if (restored.digest !== (await digestStore(dir)).digest) throw new BenchCheckError('the restored store\'s digest is not the source\'s')
  const check = new Checker()
  const r = await open(out, {readOnly: true})
  const rng = new Rng(spec.seed)
  for (let j = 0; j < 2000; j++) {
    const i = rng.below(spec.keys)
    if (!valueMatches(i, r.getSync(keyOf(i))?.value, spec.valueBytes, 0)) check.fail(`key ${i}: wrong value after the restore`)
  }
  await r.close()
  check.done()

  const w = await open(dir, {sync: 'none'})
  for (let k = 0; k < 1000; k++) await w.put(keyOf(rng.below(spec.keys)), valueOf(k, 1, spec.valueBytes))
  await w.close()
  const incremental = (await replicate(dir, replica)).cuts[0]

  // Into the replica the runs above seeded: the lag is that of a replica
  // following the writer, not of the first copy of the whole store (the
  // replicate_first row above times that).
  const follow = await followLag(dir, replica, spec)
  return {
    metrics: {
      replicate_first: replicateMs / cpMs,
      restore_full: restoreMs / cpMs,
      durable_copy: cpSyncMs / cpMs,
      restore_quick: restoreQuickMs / cpMs,
      replicate_incremental: incremental.shippedBytes / 1e6,
      replicate_lag: follow.maxLagMs / 1000,
    },
    extra: {cpMs, cpSyncMs, replicateMs, restoreMs, restoreQuickMs, storeBytes: first.bytes, incrementalBytes: incremental.shippedBytes, incrementalObjects: incremental.shippedObjects, ...follow},
  }
}

/** fsyncs every file below `dir`, then every folder (the folders last, so that each names durable files). */
function syncTree(dir: string): void {
  const folders: string[] = []
  const walk = (d: string): void => {
    folders.push(d)
    for (const e of readdirSync(d, {withFileTypes: true})) {
      const p = path.join(d, e.name)
      if (e.isDirectory()) walk(p)
      else fsyncPath(p)
    }
  }
  walk(dir)
  for (const d of folders.reverse()) fsyncPath(d)
}

function fsyncPath(p: string): void {
  const fd = openSync(p, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** Replicates `dir`, held open by a writer doing FOLLOW_RATE puts/s, every second for FOLLOW_MS; the lags seen. */
async function followLag(dir: string, replica: string, spec: WorkloadSpec): Promise<{maxLagMs: number; cuts: number; putsPerSec: number}> {
  const store = await open(dir, {sync: 'none'})
  const controller = new AbortController()
  const landed: {takenAt: number; at: number}[] = []
  const following = replicate(store, replica, {follow: true, intervalMs: 1000, signal: controller.signal, onCut: (c) => void landed.push({takenAt: c.takenAt, at: Date.now()})})
  const started = Date.now()
  let puts = 0
  while (Date.now() - started < FOLLOW_MS) {
    const due = Math.floor(((Date.now() - started) / 1000) * FOLLOW_RATE)
    while (puts < due) await store.put(keyOf(puts++ % spec.keys), valueOf(puts, 2, spec.valueBytes))
    await new Promise((r) => setTimeout(r, 5))
  }
  controller.abort()
  await following
  const putsPerSec = puts / ((Date.now() - started) / 1000)
  await store.close()
  // Just before cut i+1 landed, the newest cut on the replica was cut i.
  let maxLagMs = 0
  for (let i = 1; i < landed.length; i++) maxLagMs = Math.max(maxLagMs, landed[i].at - landed[i - 1].takenAt)
  if (landed.length < 3) throw new BenchCheckError(`only ${landed.length} cuts landed in ${FOLLOW_MS} ms`)
  return {maxLagMs, cuts: landed.length, putsPerSec}
}
