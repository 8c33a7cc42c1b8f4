/**
 * Writing a cut's objects into OUT as the files of a store, and proving
 * what was written before it becomes a store.
 *
 * Each object is read, checked (its size always; its SHA-256 unless
 * verify is 'none') and written: a table, manifest or schema version as a
 * new synced file, a WAL as its ranges appended in offset order (they must
 * follow one another from 0 to the shard's WAL length), and each shard's
 * CURRENT naming its manifest. With verify 'full', the digest of OUT's files
 * is computed through a view at the cut's manifests (no STORE needed), each
 * shard as soon as its files are written, and compared with the cut's. A
 * missing or damaged object is CORRUPTION naming it and the cut.
 */
import * as path from 'node:path'
import {ErrorCode, StrataError} from '../errors.js'
import {CURRENT_FILE, SCHEMAS_DIR, currentContents, joinPath, shardDirName, walFileName} from '../layout/names.js'
import {readCurrent} from '../manifest/current.js'
import type {ObjectStore} from '../objstore/object-store.js'
import type {StoreDescriptor} from '../store/descriptor.js'
import type {ViewAt} from '../store/shard-types.js'
import {ShardFeed, sumViewShards} from '../digest/view-sums.js'
import {Sum256} from '../digest/sum256.js'
import type {FileSystem} from '../vfs/fs.js'
import {writeSynced} from '../vfs/durable.js'
import type {CutDescriptor, CutObject} from '../replicate/cut-descriptor.js'
import {TransferCounter, sha256, type ProgressCallback} from '../replicate/transfer.js'

export type Verify = 'none' | 'quick' | 'full'

/** Objects already held locally (an earlier restore of the same replica), taken instead of downloaded. */
export interface ReuseObject {
  /** Puts whole-file object `o`'s bytes (a table, manifest or schema version) at `target`, e.g. as a hard link, and returns true; false to have it downloaded. */
  link(o: CutObject, target: string): boolean
  /** The bytes of WAL range `o` if held, else undefined; they are used only if their size and SHA-256 are `o`'s. */
  read(o: CutObject): Uint8Array | undefined
}

/**
 * Downloads every object of cut `d` into OUT (prepared, empty but for its
 * marker): first those outside the shards (schema versions), then shard by
 * shard its WAL, its other files and its CURRENT. `onShard` is told as each
 * shard's files are complete, with the position a view reads it at.
 */
export async function writeObjects(fs: FileSystem, store: ObjectStore, d: CutDescriptor, out: string, verify: Verify, onProgress?: ProgressCallback, check?: () => void, reuse?: ReuseObject, onShard?: (shard: number, at: ViewAt) => void): Promise<void> {
  const counter = new TransferCounter(d.objects.length, d.bytes, onProgress)
  const gen = d.store.shardGeneration
  /** Objects by the folder their file is in ('' for none), each folder's by path. */
  const byFolder = new Map<string, Map<string, CutObject[]>>()
  for (const o of d.objects) {
    const slash = o.path.indexOf('/')
    const folder = slash < 0 ? '' : o.path.slice(0, slash)
    const byPath = byFolder.get(folder) ?? new Map<string, CutObject[]>()
    byFolder.set(folder, byPath)
    byPath.set(o.path, [...(byPath.get(o.path) ?? []), o])
  }
  for (const s of d.shards) fs.mkdir(joinPath(out, shardDirName(s.shard, gen)))
  if (byFolder.has(SCHEMAS_DIR)) fs.mkdir(joinPath(out, SCHEMAS_DIR))
  const shardFolders = new Set(d.shards.map((s) => shardDirName(s.shard, gen)))
  for (const [folder, byPath] of byFolder) if (!shardFolders.has(folder)) await writeFiles(fs, store, d, out, byPath, verify, counter, check, reuse)
  for (const s of d.shards) {
    const folder = shardDirName(s.shard, gen)
    const byPath = byFolder.get(folder) ?? new Map<string, CutObject[]>()
    if (s.walNumber !== 0) {
      const p = `${folder}/${walFileName(s.walNumber)}`
      const ranges = (byPath.get(p) ?? []).sort((a, b) => a.offset - b.offset)
      byPath.delete(p)
      await writeWal(fs, store, d, out, p, ranges, s.walLength, verify, counter, check, reuse)
    }
    await writeFiles(fs, store, d, out, byPath, verify, counter, check, reuse)
    const shardDir = joinPath(out, folder)
    writeSynced(fs, joinPath(shardDir, CURRENT_FILE), currentContents(s.manifestNumber))
    fs.syncDir(shardDir)
    if (onShard !== undefined) {
      const {manifest, manifestNumber} = readCurrent(fs, shardDir)
      onShard(s.shard, {manifestNumber, manifest, walLength: s.walLength})
    }
  }
  if (byFolder.has(SCHEMAS_DIR)) fs.syncDir(joinPath(out, SCHEMAS_DIR))
}

/** A WAL from its ranges, appended in offset order; they must cover exactly [0, walLength). */
async function writeWal(fs: FileSystem, store: ObjectStore, d: CutDescriptor, out: string, p: string, ranges: CutObject[], walLength: number, verify: Verify, counter: TransferCounter, check?: () => void, reuse?: ReuseObject): Promise<void> {
  const file = fs.create(joinPath(out, ...p.split('/')))
  try {
    let at = 0
    for (const o of ranges) {
      if (o.offset !== at) throw damaged(store, d, o, `starts at byte ${o.offset} of ${p}, not ${at}`)
      const held = reuse?.read(o)
      file.append(held !== undefined && held.length === o.size && sha256(held) === o.sha256 ? held : await fetchObject(store, d, o, verify, check))
      at += o.size
      counter.add(o.size)
    }
    if (at !== walLength) throw new StrataError(ErrorCode.CORRUPTION, `${store.url}: cut ${d.id} lists ${at} bytes of ${p}, not its ${walLength}`, {file: p})
    file.sync()
  } finally {
    file.close()
  }
}

/** Whole-file objects (a table, manifest or schema version each), each a new synced file. */
async function writeFiles(fs: FileSystem, store: ObjectStore, d: CutDescriptor, out: string, byPath: Map<string, CutObject[]>, verify: Verify, counter: TransferCounter, check?: () => void, reuse?: ReuseObject): Promise<void> {
  for (const [p, objects] of byPath) {
    if (objects.length !== 1 || objects[0].offset !== 0) throw damaged(store, d, objects[0], `is one of ${objects.length} parts of ${p}`)
    const target = joinPath(out, ...p.split('/'))
    if (reuse?.link(objects[0], target) !== true) writeSynced(fs, target, await fetchObject(store, d, objects[0], verify, check))
    counter.add(objects[0].size)
  }
}

/** Object `o`'s bytes, checked; CORRUPTION naming it when missing or damaged. */
async function fetchObject(store: ObjectStore, d: CutDescriptor, o: CutObject, verify: Verify, check?: () => void): Promise<Uint8Array> {
  check?.()
  let bytes: Uint8Array
  try {
    bytes = await store.get(o.key)
  } catch (err) {
    if (err instanceof StrataError && err.code === ErrorCode.NOT_FOUND) throw damaged(store, d, o, 'is missing')
    throw err
  }
  if (bytes.length !== o.size) throw damaged(store, d, o, `holds ${bytes.length} bytes, not ${o.size}`)
  if (verify !== 'none' && sha256(bytes) !== o.sha256) throw damaged(store, d, o, 'does not match its SHA-256')
  return bytes
}

function damaged(store: ObjectStore, d: CutDescriptor, o: CutObject, what: string): StrataError {
  return new StrataError(ErrorCode.CORRUPTION, `${store.url}: object ${o.key} of cut ${d.id} ${what}`, {file: o.key, hint: 'restore another cut (strata restore --list)'})
}

/** The STORE a restore writes: the cut's layout and options, a new creation time and creator. */
export function restoredDescriptor(d: CutDescriptor, createdBy: string): StoreDescriptor {
  const s = d.store
  return {formatVersion: s.formatVersion, shardCount: s.shardCount, hashId: s.hashId, compression: s.compression, shardGeneration: s.shardGeneration, blockSize: s.blockSize, createdAtMs: Date.now(), createdBy} as StoreDescriptor
}

/**
 * Writes cut `d`'s objects into OUT (writeObjects) and, with verify 'full',
 * digests the files meanwhile: the digest's worker sums each shard once its
 * files are complete, and this thread the shards left once all are written.
 * CORRUPTION if the digest is not the cut's. `descriptor`: the STORE OUT
 * will have.
 */
export async function writeAndCheck(fs: FileSystem, store: ObjectStore, d: CutDescriptor, out: string, descriptor: StoreDescriptor, verify: Verify, onProgress?: ProgressCallback, check?: () => void, reuse?: ReuseObject): Promise<void> {
  if (verify !== 'full') return writeObjects(fs, store, d, out, verify, onProgress, check, reuse)
  const feed = new ShardFeed(out, descriptor, d.bytes)
  const writing = writeObjects(fs, store, d, out, verify, onProgress, check, reuse, (shard, at) => feed.ready(shard, at))
  const summing = sumViewShards(feed.spec, d.shards.map((s) => s.shard), d.digestAt, {fs, startAfter: writing, feed})
  // A failed write fails the sums too (they start after it): its own error is the one to report.
  const [written, summed] = await Promise.allSettled([writing, summing])
  if (written.status === 'rejected') throw written.reason
  if (summed.status === 'rejected') throw summed.reason
  const total = new Sum256()
  for (const s of summed.value) total.addSum(s.sum)
  const digest = total.hex()
  const records = summed.value.reduce((n, s) => n + s.records, 0)
  if (digest !== d.digest || records !== d.records) {
    throw new StrataError(ErrorCode.CORRUPTION, `restored cut ${d.id} has digest ${digest} (${records} records), not the cut's ${d.digest} (${d.records} records)`, {
      file: path.resolve(out),
      hint: 'the replica is damaged: restore another cut (strata restore --list)',
    })
  }
}
