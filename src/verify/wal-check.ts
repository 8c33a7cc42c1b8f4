/**
 * wal.crc, wal.torn-tail, wal.seq-order and the WAL's part of
 * shard.placement, for one WAL (formats/strata_wal.ksy).
 *
 * The Kaitai parser is strict: it fails on a torn tail. So the WAL is
 * parsed whole first; if that fails, its frames are walked by the
 * documented framing (wal-frames.ts) to find the first invalid record,
 * which the engine's one rule (classifyBadRecord) calls a torn tail
 * (warning: the next writer drops it) or corruption (error). The records
 * before it are then decoded by the parser. In both paths checksums are
 * recomputed by verify, and entries come from the parser.
 *
 * @internal
 */
import {fieldSpan, parseWal, type StrataEntry, type StrataWal} from '../kaitai/index.js'
import {crc32} from '../util/crc.js'
import {classifyBadRecord} from '../wal/reader.js'
import {WAL_HEADER_SIZE} from '../wal/format.js'
import {ErrorCode} from '../errors.js'
import type {FileReporter} from './findings.js'
import {hex32, reason, step} from './decode.js'
import {walkFrames} from './wal-frames.js'
import {PlacementTally} from './placement.js'
import {isLiveEntry, type ShadowedKeys} from './shadowed-keys.js'

/** What a WAL is checked against. */
export interface WalCheckOptions {
  /** The shard whose directory holds the WAL. */
  readonly shard: number
  /** STORE's shard count, for shard.placement; undefined skips that check. */
  readonly placementShards: number | undefined
  /** The manifest's last_seq: every entry must be above it. Undefined: no trusted manifest (entries must be above 0). */
  readonly lastSeq: number | undefined
  /** Misplaced keys are collected here for the shard to judge (a store a shard-rebalance made). */
  readonly shadow?: {readonly keys: ShadowedKeys; readonly file: string}
  /** The instant expiry is judged at, for `shadow`. */
  readonly now?: number
}

/** What the check saw. */
export interface WalFacts {
  readonly entries: number
}

/** Checks one WAL's bytes. */
export function checkWal(r: FileReporter, buf: Buffer, o: WalCheckOptions): WalFacts {
  const records = r.as('wal.crc', () => validRecords(r, buf, o.shard))
  return r.as('wal.seq-order', () => checkEntries(r, records, o))
}

/** A decoded record and the parse it came from (for field offsets). */
interface DecodedRecord {
  readonly wal: StrataWal
  readonly record: StrataWal.Record
}

/** Reports frame and checksum damage; returns the records before the first bad one, decoded. */
function validRecords(r: FileReporter, buf: Buffer, shard: number): DecodedRecord[] {
  const whole = step(() => parseWal(buf, r.file))
  if (whole.ok) {
    const wal = whole.value
    checkHeader(r, wal, shard)
    const bad = wal.records.findIndex((rec) => crc32(rec.checkedSpan) !== rec.crc)
    if (bad < 0) return wal.records.map((record) => ({wal, record}))
    const rec = wal.records[bad]
    badRecord(r, buf, rec.ofs, `record checksum mismatch (stored ${hex32(rec.crc)}, computed ${hex32(crc32(rec.checkedSpan))})`)
    return wal.records.slice(0, bad).map((record) => ({wal, record}))
  }
  // The strict parse failed: check the header alone, then find the first invalid frame.
  if (buf.length < WAL_HEADER_SIZE) {
    r.error('wal.crc', 0, `file of ${buf.length} bytes is shorter than the ${WAL_HEADER_SIZE}-byte WAL header`)
    return []
  }
  const header = step(() => parseWal(buf.subarray(0, WAL_HEADER_SIZE), r.file))
  let headerOk = header.ok
  if (header.ok) headerOk = checkHeader(r, header.value, shard)
  else reportHeaderFailure(r, buf, header.error)
  const walk = walkFrames(buf)
  if (walk.bad) badRecord(r, buf, walk.bad.offset, walk.bad.problem)
  if (!headerOk) return []
  // Decode the valid frames; a frame whose checksum holds but whose payload does not decode ends them.
  let frames = walk.frames
  for (;;) {
    const end = frames.at(-1)?.end ?? WAL_HEADER_SIZE
    const prefix = step(() => parseWal(buf.subarray(0, end), r.file))
    if (prefix.ok) return prefix.value.records.map((record) => ({wal: prefix.value, record}))
    const at = prefix.error.offset ?? WAL_HEADER_SIZE
    const i = frames.findIndex((f) => at >= f.offset && at < f.end)
    if (i < 0) return []
    r.error('wal.crc', at, `record at ${frames[i].offset} holds its checksum but does not decode: ${reason(prefix.error, r.file)}`)
    frames = frames.slice(0, i)
  }
}

/** Checks a decoded header's checksum and shard; true when it can be trusted. */
function checkHeader(r: FileReporter, wal: StrataWal, shard: number): boolean {
  const h = wal.header
  const computed = crc32(h.checkedSpan)
  if (computed !== h.crc) {
    r.error('wal.crc', 0, `WAL header checksum mismatch (stored ${hex32(h.crc)}, computed ${hex32(computed)})`)
    return false
  }
  if (h.shard !== shard) r.as('shard.placement', () => r.error('shard.placement', 12, `WAL header names shard ${h.shard}, but the WAL is in the directory of shard ${shard}`))
  return true
}

function reportHeaderFailure(r: FileReporter, buf: Buffer, err: import('../errors.js').StrataError): void {
  let why = reason(err, r.file)
  if (err.code === ErrorCode.UNSUPPORTED) {
    // The header checksum tells a newer WAL from a damaged version field.
    const intact = crc32(buf.subarray(0, 16)) === buf.readUInt32LE(16)
    why = intact ? `${why}; STORE format v1 stores WALs in format v1 only` : `${why}, and the header checksum does not hold: the header is damaged`
  }
  r.error('wal.crc', Math.min(err.offset ?? 0, WAL_HEADER_SIZE - 1), why)
}

/** Reports the first invalid record: a torn tail (warning) or corruption (error), by the engine's rule. */
function badRecord(r: FileReporter, buf: Buffer, at: number, problem: string): void {
  const damage = classifyBadRecord(buf, at, problem)
  if (damage === undefined) {
    r.as('wal.torn-tail', () => r.warning('wal.torn-tail', at,
      `torn tail: the last ${buf.length - at} bytes, from offset ${at}, are an incomplete record: ${problem}; the next writer drops them`))
  } else {
    r.error('wal.crc', at, `record at ${at}: ${damage}; it and everything after it cannot be replayed`)
  }
}

/** wal.seq-order and shard.placement over the decoded records. */
function checkEntries(r: FileReporter, records: DecodedRecord[], o: WalCheckOptions): WalFacts {
  let prev = o.lastSeq ?? 0
  let entries = 0
  let first = true
  const placement = new PlacementTally(o.shard, o.placementShards, o.shadow)
  const now = o.now ?? Date.now()
  for (const {wal, record} of records) {
    const batch = record.payload as StrataWal.Batch
    let reported = false
    for (const e of batch.entries as StrataEntry[]) {
      entries++
      const seq = e.sequence.value
      const at = fieldSpan(wal, e, 'sequence')?.offset ?? record.ofs
      if (seq <= prev && !reported) {
        const why = first && o.lastSeq !== undefined
          ? `is not above the manifest's last_seq ${o.lastSeq}`
          : `does not increase (previous ${prev})`
        r.error('wal.seq-order', at, `record at ${record.ofs}: sequence number ${seq} ${why}`)
        reported = true
      }
      prev = Math.max(prev, seq)
      first = false
      placement.add(e.key, fieldSpan(wal, e, 'key')?.offset ?? record.ofs, {seq, live: isLiveEntry(e, now)})
    }
  }
  r.as('shard.placement', () => placement.report(r))
  return {entries}
}
