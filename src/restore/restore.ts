/**
 * `restore`: rebuilding a store from a replica at one cut (the newest, a
 * given id, or the newest taken at or before a given time), and listing a
 * replica's cuts.
 *
 * A restore first registers itself in the replica (restores/<token>.json,
 * with a heartbeat), so retention keeps its cut's objects however long it
 * runs; then reads the descriptor. OUT is made like a checkpoint's
 * (src/cut/checkpoint-out.ts): a marker first, STORE last, after every file
 * is durable and, with verify 'full', after the digest of the files equals
 * the cut's. So a restore killed or failed at any moment leaves an OUT
 * without STORE, which does not open (NOT_A_STORE), and a rerun into the
 * same OUT clears it and starts over. The new store has no STORE-ID: it is
 * a store of its own, with a new identity when it is first replicated.
 */
import {ErrorCode, StrataError, invalidArgument} from '../errors.js'
import {finishOut, prepareOut} from '../cut/checkpoint-out.js'
import {LOCK_FILE, joinPath} from '../layout/names.js'
import {openObjectStore} from '../objstore/open.js'
import type {ObjectStore} from '../objstore/object-store.js'
import {writeDescriptor} from '../store/descriptor.js'
import {checkDirPath} from '../store/data-dir.js'
import {writeSynced} from '../vfs/durable.js'
import {nodeFileSystem} from '../vfs/node-fs.js'
import type {FileSystem} from '../vfs/fs.js'
import {VERSION} from '../version.js'
import {cutFacts, type CutDescriptor, type CutFacts} from '../replicate/cut-descriptor.js'
import {cutId, parseCutId} from '../replicate/keys.js'
import {listCutIds, newestCutNumber, readCut} from '../replicate/cuts.js'
import {acquireLease, leaseBody, LEASE_TTL_MS} from '../replicate/lease.js'
import {restoreLeaseKey} from '../replicate/keys.js'
import type {ProgressCallback} from '../replicate/transfer.js'
import {restoredDescriptor, writeAndCheck, type ReuseObject, type Verify} from './write-out.js'

export interface RestoreOptions {
  readonly fs?: FileSystem
  readonly env?: NodeJS.ProcessEnv
  /** The cut to restore, by id. Default: the newest. */
  readonly cut?: string
  /** Restore the newest cut taken at or before this instant (ms since the epoch). */
  readonly time?: number
  /** Default 'full'. */
  readonly verify?: Verify
  /** Only plan: read the descriptor, write nothing. */
  readonly dryRun?: boolean
  readonly leaseTtlMs?: number
  readonly onProgress?: ProgressCallback
  /** Takes whole-file objects from a copy already held instead of downloading them (write-out.ts). */
  readonly reuse?: ReuseObject
}

export interface RestoreReport extends Omit<CutFacts, 'id'> {
  readonly src: string
  readonly out: string
  /** The cut's id. */
  readonly cut: string
  readonly verify: Verify
  readonly dryRun: boolean
}

/** A cut as `restore --list` shows it. */
export type CutSummary = CutFacts

/** Restores a cut of the replica `src` into `out`; see the file comment. */
export async function restore(src: string | ObjectStore, out: string, options: RestoreOptions = {}): Promise<RestoreReport> {
  const fs = options.fs ?? nodeFileSystem
  const verify = options.verify ?? 'full'
  checkDirPath(fs, out) // a file as OUT is bad input before the replica is read
  const store = typeof src === 'string' ? await openObjectStore(src, {env: options.env, fs}) : src
  try {
    const id = await chooseCut(store, options)
    const body = leaseBody('restore', id)
    const lease = options.dryRun === true ? undefined : await acquireLease(store, restoreLeaseKey(body.token), body, options.leaseTtlMs ?? LEASE_TTL_MS)
    lease?.startHeartbeat()
    try {
      const d = await readCut(store, id)
      if (options.dryRun !== true) await build(fs, store, d, out, verify, options.onProgress, () => lease?.check(), options.reuse)
      const {id: cut, ...facts} = cutFacts(d)
      return {
        src: store.url,
        out,
        cut,
        ...facts,
        verify,
        dryRun: options.dryRun === true,
      }
    } finally {
      await lease?.release()
    }
  } finally {
    if (typeof src === 'string') await store.close()
  }
}

async function build(fs: FileSystem, store: ObjectStore, d: CutDescriptor, out: string, verify: Verify, onProgress?: ProgressCallback, check?: () => void, reuse?: ReuseObject): Promise<void> {
  prepareOut(fs, undefined, out)
  const descriptor = restoredDescriptor(d, `strata ${VERSION} restore`)
  await writeAndCheck(fs, store, d, out, descriptor, verify, onProgress, check, reuse)
  writeSynced(fs, joinPath(out, LOCK_FILE), Buffer.alloc(0))
  fs.syncDir(out)
  // The commit point: every file is durable (and proven), so STORE may name them.
  writeDescriptor(fs, out, descriptor)
  finishOut(fs, out)
}

/** The id of the cut `options` ask for; NOT_FOUND when there is none. */
async function chooseCut(store: ObjectStore, options: RestoreOptions): Promise<string> {
  if (options.cut !== undefined) {
    if (parseCutId(options.cut) === undefined) throw invalidArgument(`${JSON.stringify(options.cut)} is not a cut id`, 'a cut id is 12 digits, as restore --list shows')
    return options.cut
  }
  if (options.time !== undefined) {
    const ids = await listCutIds(store)
    for (let i = ids.length - 1; i >= 0; i--) {
      const d = await readCut(store, ids[i])
      if (d.takenAt <= options.time) return d.id
    }
    throw new StrataError(ErrorCode.NOT_FOUND, `${store.url} has no cut taken at or before ${new Date(options.time).toISOString()}`, {hint: `list the cuts with: strata restore ${store.url} --list`})
  }
  const n = await newestCutNumber(store)
  if (n === 0) throw new StrataError(ErrorCode.NOT_FOUND, `${store.url} holds no cut`, {hint: 'ship one with: strata replicate --dir DIR ' + store.url})
  return cutId(n)
}

/** Every cut of the replica `src`, oldest first (one LIST and a read of each descriptor). */
export async function listCuts(src: string | ObjectStore, options: Pick<RestoreOptions, 'fs' | 'env'> = {}): Promise<CutSummary[]> {
  const store = typeof src === 'string' ? await openObjectStore(src, {env: options.env, fs: options.fs}) : src
  try {
    const out: CutSummary[] = []
    for (const id of await listCutIds(store)) {
      out.push(cutFacts(await readCut(store, id)))
    }
    return out
  } finally {
    if (typeof src === 'string') await store.close()
  }
}
