/**
 * Leases in a replica: who is working on it. The replicator's lease (LEASE)
 * makes it one replicator per destination; a restore's lease
 * (restores/<token>.json) tells retention which cut it is reading.
 *
 * A lease is written with a conditional put (only if absent), so of two
 * processes starting at once, on one machine or two, one wins. Its holder
 * rewrites it every third of the TTL (a heartbeat). A lease is stale, and
 * another process may take it over, when its holder ran on this host and
 * that process is gone (kill -9: the next run takes over at once), or when
 * its heartbeat is older than the TTL (a holder on another machine that
 * died), or when it names this very process but not a lease it still holds
 * (a release that failed). A clock skew between machines larger than the TTL can make a live
 * holder look stale: keep clocks in sync (NTP), as for any lease. Two
 * processes taking over one stale lease at once narrow the race by deleting
 * only the lease they judged; should both still believe they hold it, the
 * loser finds out at its first heartbeat or when its descriptor's id is
 * taken (BUSY).
 */
import * as os from 'node:os'
import {randomBytes} from 'node:crypto'
import {ErrorCode, StrataError, isNotFound} from '../errors.js'
import type {ObjectStore} from '../objstore/object-store.js'
import {processRuns} from '../util/process-runs.js'

/** Default time after which a lease without heartbeat is stale. */
export const LEASE_TTL_MS = 60_000

export interface LeaseBody {
  readonly kind: 'replicate' | 'restore'
  readonly token: string
  readonly host: string
  readonly pid: number
  readonly startedAt: number
  readonly heartbeatAt: number
  /** For a restore: the cut it reads. */
  readonly cut?: string
}

/** The lease body at `key`: undefined if absent, "unreadable" if it does not parse (a stale lease). */
export async function readLease(store: ObjectStore, key: string): Promise<LeaseBody | 'unreadable' | undefined> {
  let bytes: Uint8Array
  try {
    bytes = await store.get(key)
  } catch (err) {
    if (err instanceof StrataError && err.code === ErrorCode.NOT_FOUND) return undefined
    throw err
  }
  try {
    const b = JSON.parse(Buffer.from(bytes).toString('utf8'))
    if (typeof b?.token === 'string' && typeof b.host === 'string' && Number.isInteger(b.pid) && Number.isFinite(b.heartbeatAt)) return b as LeaseBody
  } catch {}
  return 'unreadable'
}


/** Tokens of the leases this process holds: one of this process not among them was lost (a failed release). */
const heldHere = new Set<string>()

/** Whether lease `b` may be taken over at `now`; see the file comment. */
export function isStale(b: LeaseBody | 'unreadable', now: number, ttlMs: number): boolean {
  if (b === 'unreadable') return true
  if (b.host === os.hostname() && b.pid === process.pid) return !heldHere.has(b.token)
  if (b.host === os.hostname() && !processRuns(b.pid)) return true
  return now - b.heartbeatAt > ttlMs
}

/** A held lease. */
export class Lease {
  private timer: NodeJS.Timeout | undefined
  private failure: unknown

  constructor(private readonly store: ObjectStore, readonly key: string, private body: LeaseBody, private readonly ttlMs: number) {
    heldHere.add(body.token)
  }

  /** Rewrites the lease every ttl/3 until release(); a failed heartbeat is thrown by check(). */
  startHeartbeat(): void {
    this.timer = setInterval(() => {
      this.heartbeat().catch((err) => {
        this.failure ??= err
      })
    }, Math.max(50, Math.floor(this.ttlMs / 3)))
    this.timer.unref()
  }

  /** Throws what the last heartbeat failed with, if any. */
  check(): void {
    if (this.failure !== undefined) throw this.failure
  }

  /** Rewrites the lease with a fresh time, after making sure it is still ours. */
  async heartbeat(): Promise<void> {
    const now = await readLease(this.store, this.key)
    if (now === undefined || now === 'unreadable' || now.token !== this.body.token) {
      throw new StrataError(ErrorCode.BUSY, `${this.store.url}: lost the lease ${this.key}${now !== undefined && now !== 'unreadable' ? ` to pid ${now.pid} on ${now.host}` : ''}`)
    }
    this.body = {...this.body, heartbeatAt: Date.now()}
    await this.store.put(this.key, encode(this.body))
  }

  /**
   * Stops the heartbeat and deletes the lease if it is still ours. Idempotent.
   * Never throws: a lease that cannot be deleted (the store is unreachable)
   * is stale from now on, and the next process takes it over.
   */
  async release(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
    heldHere.delete(this.body.token)
    try {
      const now = await readLease(this.store, this.key)
      if (now !== undefined && now !== 'unreadable' && now.token === this.body.token) await this.store.delete(this.key)
    } catch {
      // Stale now: see above.
    }
  }
}

function encode(b: LeaseBody): Buffer {
  return Buffer.from(JSON.stringify(b) + '\n', 'utf8')
}

/** A new lease body of this process. */
export function leaseBody(kind: LeaseBody['kind'], cut?: string): LeaseBody {
  const now = Date.now()
  return {kind, token: randomBytes(12).toString('hex'), host: os.hostname(), pid: process.pid, startedAt: now, heartbeatAt: now, ...(cut === undefined ? {} : {cut})}
}

/**
 * Takes lease `key` of `store`, taking over a stale one; BUSY naming the
 * holder when it is held. The heartbeat is not started.
 */
export async function acquireLease(store: ObjectStore, key: string, body: LeaseBody, ttlMs = LEASE_TTL_MS): Promise<Lease> {
  for (let attempt = 0; attempt < 3; attempt++) {
    if ((await store.put(key, encode(body), {ifAbsent: true})) === 'written') return new Lease(store, key, body, ttlMs)
    const holder = await readLease(store, key)
    if (holder === undefined) continue // released meanwhile
    if (holder !== 'unreadable' && !isStale(holder, Date.now(), ttlMs)) {
      const since = new Date(holder.startedAt).toISOString()
      throw new StrataError(ErrorCode.BUSY, `${store.url} is in use by another replicator (pid ${holder.pid} on ${holder.host}, since ${since})`, {
        hint: 'one replicator per destination: stop the other one, or wait for it',
      })
    }
    // Delete only the stale lease judged above: one that changed meanwhile was taken over by another process.
    const again = await readLease(store, key)
    if (again !== undefined && (again === 'unreadable' || holder === 'unreadable' || again.token === holder.token)) await store.delete(key)
  }
  throw new StrataError(ErrorCode.BUSY, `${store.url}: could not take the lease ${key} (others keep taking it)`)
}

/** The live restore leases' bodies; stale ones are deleted on the way. */
export async function liveLeases(store: ObjectStore, prefix: string, ttlMs = LEASE_TTL_MS): Promise<LeaseBody[]> {
  const out: LeaseBody[] = []
  for await (const o of store.list(prefix)) {
    const b = await readLease(store, o.key)
    if (b === undefined) continue
    if (b === 'unreadable' || isStale(b, Date.now(), ttlMs)) {
      await store.delete(o.key).catch((err) => {
        if (!isNotFound(err)) throw err
      })
    } else {
      out.push(b)
    }
  }
  return out
}
