/**
 * Retention: deleting old cuts of a replica, and then the objects no cut
 * uses any more, after a grace period.
 *
 * Which cuts go: with `keep` N, all but the newest N; with `maxAgeMs`, those
 * taken longer ago than that. The newest cut always stays, and so does a cut
 * a running restore has registered (restores/<token>.json, lease.ts).
 *
 * Order, so that no restore ever finds a file gone that its cut lists:
 *   1. read every descriptor (this, and the listing of data/, are the only
 *      LISTs of the replica, and they happen only when retention runs);
 *   2. delete the chosen descriptors: from now on no new restore picks them;
 *   3. list the live restores *after* that: a restore registers before it
 *      reads its descriptor, so one that could still be reading a deleted
 *      cut is seen here, and that cut's objects stay;
 *   4. every object under data/ that no remaining (or restored) cut lists
 *      is noted in retention/PENDING with the time it was first seen unused,
 *      and deleted by the first retention at least `graceMs` later if it is
 *      still unused. Orphans of killed runs (uploaded, never listed) go the
 *      same way.
 * Only the replicator holding LEASE runs retention, so two never race.
 */
import {ErrorCode, StrataError} from '../errors.js'
import type {ObjectStore} from '../objstore/object-store.js'
import {decodeCut, type CutDescriptor} from './cut-descriptor.js'
import {CUTS_PREFIX, DATA_PREFIX, PENDING_KEY, RESTORES_PREFIX, cutKey, parseCutKey} from './keys.js'
import {LEASE_TTL_MS, liveLeases} from './lease.js'

export interface RetentionPolicy {
  /** Keep the newest `keep` cuts (≥ 1). */
  readonly keep?: number
  /** Keep the cuts taken within this many ms. */
  readonly maxAgeMs?: number
  /** How long an unused object waits before it is deleted. */
  readonly graceMs: number
}

export interface RetentionReport {
  readonly cutsDeleted: number
  readonly objectsDeleted: number
  readonly bytesDeleted: number
  /** Unused objects waiting for their grace period to end. */
  readonly objectsPending: number
}

export interface RetentionOptions {
  readonly now?: number
  readonly leaseTtlMs?: number
}

/** Applies `policy` to `store`; see the file comment. */
export async function applyRetention(store: ObjectStore, policy: RetentionPolicy, options: RetentionOptions = {}): Promise<RetentionReport> {
  const now = options.now ?? Date.now()
  const ttl = options.leaseTtlMs ?? LEASE_TTL_MS
  const cuts = new Map<string, CutDescriptor>()
  const unreadable: string[] = []
  for await (const o of store.list(CUTS_PREFIX)) {
    const id = parseCutKey(o.key)
    if (id === undefined) continue
    try {
      cuts.set(id, decodeCut(await store.get(o.key), id, store.url))
    } catch (err) {
      if (!(err instanceof StrataError) || err.code === ErrorCode.IO) throw err
      unreadable.push(id) // a damaged descriptor is left for the user to see; it protects nothing
    }
  }
  const ids = [...cuts.keys()].sort()
  const restoring = async (): Promise<Set<string>> => new Set((await liveLeases(store, RESTORES_PREFIX, ttl)).flatMap((b) => (b.cut === undefined ? [] : [b.cut])))
  const registered = await restoring()
  const expired = ids.filter((id, i) => {
    if (i === ids.length - 1 || registered.has(id)) return false
    if (policy.keep !== undefined && ids.length - i > policy.keep) return true
    return policy.maxAgeMs !== undefined && now - cuts.get(id)!.takenAt > policy.maxAgeMs
  })
  for (const id of expired) await store.delete(cutKey(id))
  const reading = await restoring()
  const used = new Set<string>()
  for (const [id, d] of cuts) if (!expired.includes(id) || reading.has(id)) for (const o of d.objects) used.add(o.key)

  const pending = await readPending(store)
  const next: Record<string, number> = {}
  let objectsDeleted = 0
  let bytesDeleted = 0
  for await (const o of store.list(DATA_PREFIX)) {
    if (used.has(o.key)) continue
    const since = pending[o.key] ?? now
    if (now - since >= policy.graceMs) {
      await store.delete(o.key)
      objectsDeleted++
      bytesDeleted += o.size
    } else {
      next[o.key] = since
    }
  }
  await store.put(PENDING_KEY, Buffer.from(JSON.stringify({since: next}) + '\n', 'utf8'))
  return {cutsDeleted: expired.length, objectsDeleted, bytesDeleted, objectsPending: Object.keys(next).length}
}

/** retention/PENDING's map from key to first-seen-unused time; absent or unreadable is empty (the grace period starts over). */
async function readPending(store: ObjectStore): Promise<Record<string, number>> {
  try {
    const p = JSON.parse(Buffer.from(await store.get(PENDING_KEY)).toString('utf8'))
    const since = p?.since
    if (typeof since !== 'object' || since === null) return {}
    return Object.fromEntries(Object.entries(since).filter(([, v]) => Number.isFinite(v))) as Record<string, number>
  } catch (err) {
    if (err instanceof StrataError && err.code !== ErrorCode.NOT_FOUND) throw err
    return {}
  }
}
