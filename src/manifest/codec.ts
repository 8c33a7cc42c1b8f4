import {ByteReader, ByteWriter} from '../util/coding.js'
import {framedVersion, sealFramed} from '../util/framed-file.js'
import {corruption, ErrorCode, StrataError} from '../errors.js'
import {MAX_KEY_BYTES} from '../record/format.js'
import {CURRENT_MANIFEST_FORMAT, MANIFEST_MAGIC, type Manifest, type TableMeta} from './format.js'

export function encodeManifest(m: Manifest): Buffer {
  const w = new ByteWriter(256)
  w.bytes(MANIFEST_MAGIC).u32(CURRENT_MANIFEST_FORMAT).u32(m.shard)
  w.u64(m.nextFileNumber).u64(m.lastSeq).u64(m.walNumber).u32(m.tables.length)
  for (const t of m.tables) {
    w.u64(t.fileNumber).u64(t.fileSize).u8(t.level).u64(t.entries).u64(t.minSeq).u64(t.maxSeq)
    w.lengthPrefixed(t.smallestKey).lengthPrefixed(t.largestKey)
  }
  return sealFramed(w)
}

/** Decodes a manifest, checking magic, version, checksum and every length. */
export function decodeManifest(buf: Buffer, path: string): Manifest {
  const version = framedVersion(buf, path, MANIFEST_MAGIC, {what: 'manifest', badMagic: 'bad manifest magic'})
  if (version > CURRENT_MANIFEST_FORMAT) {
    throw new StrataError(ErrorCode.UNSUPPORTED, `${path}: manifest format version ${version} is newer than this strata supports`, {file: path, offset: 8})
  }
  if (version !== CURRENT_MANIFEST_FORMAT) throw corruption(path, 8, `unknown manifest format version ${version}`)
  if (buf.length < 48) throw corruption(path, buf.length, `manifest is truncated (${buf.length} bytes)`)
  const r = new ByteReader(buf, path, 0, 12, buf.length - 4)
  const shard = r.u32('shard')
  const nextFileNumber = r.u64('next file number')
  const lastSeq = r.u64('last sequence number')
  const walNumber = r.u64('wal number')
  const count = r.u32('table count')
  // A table record takes at least 43 bytes: reject an absurd count before looping.
  if (count * 43 > r.remaining) r.fail(`table count ${count} cannot fit in ${r.remaining} bytes`, r.pos - 4)
  const tables: TableMeta[] = []
  for (let i = 0; i < count; i++) {
    const at = r.pos
    const t: TableMeta = {
      fileNumber: r.u64('table file number'),
      fileSize: r.u64('table file size'),
      level: r.u8('table level'),
      entries: r.u64('table entries'),
      minSeq: r.u64('table min seq'),
      maxSeq: r.u64('table max seq'),
      smallestKey: Buffer.from(r.lengthPrefixed('smallest key', MAX_KEY_BYTES)),
      largestKey: Buffer.from(r.lengthPrefixed('largest key', MAX_KEY_BYTES)),
    }
    if (t.fileNumber === 0 || t.fileNumber >= nextFileNumber) r.fail(`table file number ${t.fileNumber} is not below next file number ${nextFileNumber}`, at)
    if (t.minSeq > t.maxSeq || t.maxSeq > lastSeq) r.fail(`table ${t.fileNumber} has a bad sequence range ${t.minSeq}..${t.maxSeq}`, at)
    if (Buffer.compare(t.smallestKey, t.largestKey) > 0) r.fail(`table ${t.fileNumber} has smallest key above largest key`, at)
    tables.push(t)
  }
  if (walNumber >= nextFileNumber) r.fail(`wal number ${walNumber} is not below next file number ${nextFileNumber}`, 28)
  if (r.remaining !== 0) r.fail(`${r.remaining} unexpected bytes after the table list`)
  return {shard, nextFileNumber, lastSeq, walNumber, tables}
}
