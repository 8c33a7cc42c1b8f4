/**
 * Shipping one held cut to a replica: the objects the previous cut did not
 * have, then the descriptor, then HEAD.
 *
 * Tables, manifests and schema versions are immutable: an object the
 * previous cut lists is listed again without a byte moved. A WAL grows, so
 * of a WAL the previous cut shipped up to N bytes only [N, walLength) goes,
 * as a new range object; a new WAL goes from 0. So a run's work grows with
 * what changed since the previous cut, not with the store.
 *
 * The descriptor's digest is carried from the previous cut's per-shard
 * digests where that is exact (cut-digest.ts), so it too costs what changed.
 * A shard digested in full (the first cut's, or after a compaction) is
 * summed by a worker while this thread uploads, and by both threads after
 * (digest/view-sums.ts).
 *
 * The descriptor is written after every object it lists (and only if no
 * descriptor has that id), HEAD after it: a run killed before the
 * descriptor leaves objects no cut lists (orphans, which retention removes),
 * never a cut with missing objects. Whatever the previous cut lists is
 * trusted to be there: an object deleted from the replica by hand is not
 * shipped again, and restore names it as missing.
 */
import {ErrorCode, StrataError, ioError} from '../errors.js'
import type {StoreCut} from '../cut/cut.js'
import {SCHEMAS_DIR, joinPath, parseSchemaFileName, shardDirName, walFileName} from '../layout/names.js'
import type {ObjectStore} from '../objstore/object-store.js'
import type {FileSystem} from '../vfs/fs.js'
import {readRange} from '../vfs/read-range.js'
import {CUT_FORMAT, CUT_VERSION, encodeCut, type CutDescriptor, type CutObject, type CutShard} from './cut-descriptor.js'
import {HEAD_KEY, cutKey, fileKey, walRangeKey} from './keys.js'
import {TransferCounter, sha256, type ProgressCallback} from './transfer.js'
import {digestCut} from './cut-digest.js'

/** An object to send: where its bytes come from. */
interface Upload {
  readonly key: string
  readonly path: string
  readonly offset: number
  readonly size: number
  /** Reads its bytes from the cut. */
  readonly read: () => Buffer
}

/** What shipping a cut did. */
export interface ShipResult {
  readonly descriptor: CutDescriptor
  readonly shippedObjects: number
  readonly shippedBytes: number
}

/** Ships held cut `cut` as cut `id` of `store`, on top of the previous cut `base`; see the file comment. */
export async function shipCut(fs: FileSystem, cut: StoreCut, store: ObjectStore, id: string, storeId: string, base: CutDescriptor | undefined, onProgress?: ProgressCallback, check?: () => void): Promise<ShipResult> {
  const known = new Map<string, CutObject>((base?.objects ?? []).map((o) => [o.key, o]))
  const objects: (CutObject | Upload)[] = []
  const gen = cut.descriptor.shardGeneration
  const shards: CutShard[] = []
  for (const s of cut.shards) {
    const folder = shardDirName(s.shard, gen)
    const walName = s.manifest.walNumber === 0 ? undefined : walFileName(s.manifest.walNumber)
    shards.push({shard: s.shard, manifestNumber: s.manifestNumber, walNumber: s.manifest.walNumber, walLength: s.walLength, lastSeq: s.lastSeq})
    for (const name of s.files) {
      const path = `${folder}/${name}`
      const file = cut.path(s.shard, name)
      if (name === walName) {
        objects.push(...walObjects(fs, base, path, file, s.walLength))
      } else {
        const key = fileKey(path)
        objects.push(known.get(key) ?? {key, path, offset: 0, size: fs.fileSize(file), read: () => fs.readFile(file)})
      }
    }
  }
  const schemas = joinPath(cut.dir, SCHEMAS_DIR)
  if (fs.exists(schemas)) {
    for (const name of fs.readdir(schemas).sort()) {
      if (parseSchemaFileName(name) === undefined) continue
      const path = `${SCHEMAS_DIR}/${name}`
      const key = fileKey(path)
      const file = joinPath(schemas, name)
      objects.push(known.get(key) ?? {key, path, offset: 0, size: fs.fileSize(file), read: () => fs.readFile(file)})
    }
  }
  const uploads = objects.filter((o): o is Upload => 'read' in o)
  const counter = new TransferCounter(uploads.length, uploads.reduce((n, u) => n + u.size, 0), onProgress)
  // The digest's worker sums shards while this thread uploads; this thread joins it after the uploads.
  const uploading = uploadAll(store, objects, counter, check)
  const [uploaded, digested] = await Promise.allSettled([uploading, digestCut(fs, cut, base, uploading)])
  if (uploaded.status === 'rejected') throw uploaded.reason
  if (digested.status === 'rejected') throw digested.reason
  const listed = uploaded.value
  const digest = digested.value
  const withDigests = shards.map((s, i) => ({...s, ...digest.shards[i]}))
  const d = cut.descriptor
  const descriptor: CutDescriptor = {
    format: CUT_FORMAT,
    version: CUT_VERSION,
    id,
    storeId,
    takenAt: cut.takenAt,
    time: new Date(cut.takenAt).toISOString(),
    store: {formatVersion: d.formatVersion, shardCount: d.shardCount, hashId: d.hashId, compression: d.compression, shardGeneration: d.shardGeneration, blockSize: d.blockSize},
    shards: withDigests,
    digest: digest.digest,
    digestAt: cut.takenAt,
    records: digest.records,
    bytes: listed.reduce((n, o) => n + o.size, 0),
    objects: listed,
  }
  check?.()
  if ((await store.put(cutKey(id), encodeCut(descriptor), {ifAbsent: true})) === 'exists') {
    throw new StrataError(ErrorCode.BUSY, `${store.url}: cut ${id} was written by someone else meanwhile`, {hint: 'one replicator per destination'})
  }
  await store.put(HEAD_KEY, Buffer.from(`${id}\n`, 'utf8'))
  return {descriptor, shippedObjects: counter.objects, shippedBytes: counter.bytes}
}

/** Uploads each object not yet in the replica, in order; every object of the cut as the descriptor lists it. */
async function uploadAll(store: ObjectStore, objects: readonly (CutObject | Upload)[], counter: TransferCounter, check?: () => void): Promise<CutObject[]> {
  const listed: CutObject[] = []
  for (const o of objects) {
    if (!('read' in o)) {
      listed.push(o)
      continue
    }
    check?.()
    let body: Buffer
    try {
      body = o.read()
    } catch (err) {
      throw ioError('read', o.path, err)
    }
    if (body.length !== o.size) throw new StrataError(ErrorCode.IO, `${o.path}: read ${body.length} bytes of ${o.size}`)
    await store.put(o.key, body)
    listed.push({key: o.key, path: o.path, offset: o.offset, size: o.size, sha256: sha256(body)})
    counter.add(o.size)
  }
  return listed
}

/**
 * The range objects of the WAL at `path` (file `file` of the cut) up to
 * `length`: those of the previous cut, if it shipped a prefix of this same
 * WAL, plus one new range for the rest.
 */
function walObjects(fs: FileSystem, base: CutDescriptor | undefined, path: string, file: string, length: number): (CutObject | Upload)[] {
  const before = (base?.objects ?? []).filter((o) => o.path === path).sort((a, b) => a.offset - b.offset)
  const shipped = before.reduce((end, o) => (o.offset === end ? end + o.size : end), 0)
  const keep = shipped <= length && before.every((o) => o.offset + o.size <= shipped) ? before : []
  const from = keep === before ? shipped : 0
  if (length <= from) return keep
  return [...keep, {key: walRangeKey(path, from, length), path, offset: from, size: length - from, read: () => readRange(fs, file, from, length)}]
}
