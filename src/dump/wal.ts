/**
 * A WAL as dump decodes it: through the Kaitai parser, one record at a time,
 * and tolerant of a torn tail, because a live WAL may end in a record its
 * writer is still appending.
 *
 * The generated parser reads a whole file at once and is strict (a record
 * that runs past the end fails the parse); decoded in debug mode, a 4 MiB
 * WAL would also take hundreds of MB. So the records are first walked by
 * their framing (u4 crc, u4 length, u1 type; formats/README.md): every
 * record's crc is checked, and the first bad one is classified exactly as
 * recovery does (classifyBadRecord in src/wal/reader.ts). A torn tail is
 * noted and left out; anything else is CORRUPTION naming the file and the
 * record's offset. Each complete record is then decoded on demand by the
 * generated parser's own record type, read at its offset in the file.
 *
 * Damage in the middle of a log is thrown at once, or, with `untilDamage`,
 * kept in the view: the records before it stay readable, so the views of one
 * file (--records, --hex, --layout) show them before reporting the damage.
 */
import {ErrorCode, StrataError, corruption} from '../errors.js'
import {crc32} from '../util/crc.js'
import {classifyBadRecord} from '../wal/reader.js'
import {Parsers, parseWal, type StrataWal} from '../kaitai/index.js'
import {toStrataError} from '../kaitai/failure.js'
import {streamOf} from '../kaitai/spans.js'
import {checkCrc, type CrcCheck, type Problems} from './checks.js'

/** Sizes fixed by the WAL format (src/wal/format.ts). */
const HEADER_SIZE = 20
const RECORD_HEADER_SIZE = 9
const BATCH = 1
const MAX_RECORD_BYTES = 256 * 1024 * 1024

/** Bytes at the end of a WAL that are not a complete record: dropped by recovery. */
export interface TornTail {
  readonly offset: number
  readonly bytes: number
  readonly reason: string
}

/** Damage in the middle of a WAL: where the first bad record starts, and the CORRUPTION error naming it. */
export interface WalDamage {
  readonly offset: number
  readonly reason: string
  readonly error: StrataError
}

/** A WAL whose framing and checksums have been checked. */
export interface WalView {
  readonly file: string
  readonly header: StrataWal.Header
  readonly headerCrc: CrcCheck
  /** File offset of each complete record, in log order. */
  readonly offsets: readonly number[]
  /** End of the last complete record. */
  readonly validLength: number
  readonly tornTail?: TornTail
  /** With `untilDamage`: the damage that ends the valid records (`offsets` stop before it). */
  readonly damage?: WalDamage
  /** The parser's root object over the whole file (not read): records are read through its stream. */
  readonly root: StrataWal
}

/** Why the record at `at` is not valid, or undefined (the framing checks of recovery). */
function recordProblem(buf: Buffer, at: number): string | undefined {
  if (at + RECORD_HEADER_SIZE > buf.length) return 'incomplete record header'
  const length = buf.readUInt32LE(at + 4)
  const type = buf[at + 8]
  if (type !== BATCH) return `unknown record type ${type}`
  if (length > MAX_RECORD_BYTES) return `record length ${length} exceeds the limit`
  if (at + RECORD_HEADER_SIZE + length > buf.length) return `record length ${length} runs past the end of the file`
  if (crc32(buf.subarray(at + 4, at + RECORD_HEADER_SIZE + length)) !== buf.readUInt32LE(at)) return 'record checksum mismatch'
  return undefined
}

/**
 * Checks a WAL's header and framing; throws CORRUPTION (or UNSUPPORTED for a
 * newer format) naming `file` and the offset. With `untilDamage`, damage in
 * the middle of the log is returned as `damage` instead of thrown.
 */
export function decodeWalFile(buf: Buffer, file: string, problems: Problems, options: {readonly untilDamage?: boolean} = {}): WalView {
  // The header first, so a damaged one is reported as such rather than as a bad record.
  const head = parseWal(buf.subarray(0, Math.min(buf.length, HEADER_SIZE)), file)
  const headerCrc = checkCrc(head.header.checkedSpan, head.header.crc, 16)
  problems.crc(file, 'log header', headerCrc)
  const offsets: number[] = []
  let at = HEADER_SIZE
  let tornTail: TornTail | undefined
  let damage: WalDamage | undefined
  while (at < buf.length) {
    const problem = recordProblem(buf, at)
    if (problem !== undefined) {
      const reason = classifyBadRecord(buf, at, problem)
      if (reason !== undefined) {
        damage = {offset: at, reason, error: corruption(file, at, reason)}
        if (options.untilDamage !== true) throw damage.error
      } else {
        tornTail = {offset: at, bytes: buf.length - at, reason: problem}
      }
      break
    }
    offsets.push(at)
    at += RECORD_HEADER_SIZE + buf.readUInt32LE(at + 4)
  }
  const root = new Parsers.StrataWal(streamOf(buf))
  return {file, header: head.header, headerCrc, offsets, validLength: at, root, ...(tornTail ? {tornTail} : {}), ...(damage ? {damage} : {})}
}

/** Decodes record `i` of a checked WAL with the generated parser; CORRUPTION names the file and offset. */
export function walRecord(view: WalView, i: number): StrataWal.Record {
  const at = view.offsets[i]
  const io = view.root._io
  io.seek(at)
  const r = new Parsers.StrataWal.Record(io, view.root, view.root, at)
  try {
    r._read()
  } catch (err) {
    const e = toStrataError(err, r, {buf: Buffer.from(io.dataView.buffer, io.dataView.byteOffset, io.size), file: view.file, kind: 'WAL', newestVersion: 1})
    if (!(e instanceof StrataError)) throw e
    throw new StrataError(e.code, e.message.replace(`${view.file}: WAL `, `${view.file}: WAL records[${i}].`), {
      file: view.file, ...(e.offset === undefined ? {} : {offset: e.offset}), cause: err,
    })
  }
  if (r.payload instanceof Uint8Array) {
    // Unreachable: the framing walk accepted only batch records.
    throw new StrataError(ErrorCode.CORRUPTION, `${view.file}: record of unknown type at byte ${at}`, {file: view.file, offset: at})
  }
  return r
}

/**
 * Every complete record, decoded one at a time (each can be dropped before
 * the next is read); then the view's damage, if any, is thrown.
 */
export function* walRecordsOf(view: WalView): Generator<StrataWal.Record> {
  yield* walRecordsBeforeDamage(view, (d) => {
    throw d.error
  })
}

/**
 * The records before the first damage, in log order; then `onDamage` is told
 * of that damage: the view's (bad framing), or a record whose checksum holds
 * but which does not decode. Nothing is told when the log is sound.
 */
export function* walRecordsBeforeDamage(view: WalView, onDamage: (d: WalDamage) => void): Generator<StrataWal.Record> {
  for (let i = 0; i < view.offsets.length; i++) {
    let r: StrataWal.Record
    try {
      r = walRecord(view, i)
    } catch (err) {
      if (!(err instanceof StrataError) || err.code !== ErrorCode.CORRUPTION) throw err
      onDamage({offset: view.offsets[i], reason: err.message.replace(`${view.file}: `, ''), error: err})
      return
    }
    yield r
  }
  if (view.damage) onDamage(view.damage)
}

/** The batch of a record decoded by `walRecord` (always a batch). */
export function batchOf(r: StrataWal.Record): StrataWal.Batch {
  return r.payload as StrataWal.Batch
}
