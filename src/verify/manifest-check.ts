/**
 * manifest.replay for one shard's CURRENT and the manifest it names
 * (formats/strata_manifest.ksy): decodes, checksum, and the fields'
 * consistency with each other. Whether the files it lists exist is
 * shard-check.ts's part.
 *
 * @internal
 */
import {ErrorCode} from '../errors.js'
import {fieldSpan, parseManifest, type StrataManifest} from '../kaitai/index.js'
import {crc32} from '../util/crc.js'
import {manifestFileName, parseCurrentContents, tableFileName} from '../layout/names.js'
import type {TableMeta} from '../manifest/format.js'
import type {FileReporter} from './findings.js'
import {hex32, reason, step, trailingCrcHolds} from './decode.js'
import {keyRange} from './key-range.js'

/** One table as a trusted manifest lists it. */
export interface ListedTable extends TableMeta {
  /** Where the table record starts in the manifest. */
  readonly offset: number
}

/** A manifest that decodes, holds its checksum and belongs to its shard. */
export interface LiveManifest {
  readonly number: number
  readonly lastSeq: number
  readonly walNumber: number
  /** Offset of the wal_number field. */
  readonly walOffset: number
  readonly tables: readonly ListedTable[]
}

/** The manifest number CURRENT names, or why its contents are not a manifest name. */
export function parseCurrent(buf: Buffer): number | string {
  const text = buf.toString('latin1')
  const n = parseCurrentContents(text)
  if (n !== undefined && Number.isSafeInteger(n)) return n
  return `CURRENT does not name a manifest: ${JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)} (expected "MANIFEST-NNNNNN" and a newline)`
}

/**
 * Checks the manifest `number` of shard `shard`. Returns it when it can be
 * trusted; undefined (after reporting why) when it cannot.
 */
export function checkManifest(r: FileReporter, buf: Buffer, shard: number, number: number): LiveManifest | undefined {
  const check = 'manifest.replay'
  const parsed = step(() => parseManifest(buf, r.file))
  if (!parsed.ok) {
    const err = parsed.error
    let why = reason(err, r.file)
    if (err.code === ErrorCode.UNSUPPORTED) {
      why = trailingCrcHolds(buf)
        ? `${why}; STORE format v1 stores manifests in format v1 only`
        : `${why}, and the manifest checksum does not hold: the manifest is damaged`
    }
    r.error(check, err.offset ?? 0, why)
    return undefined
  }
  const m = parsed.value
  const computed = crc32(m.checkedSpan)
  if (computed !== m.crc) {
    r.error(check, 0, `manifest checksum mismatch over bytes 0..${buf.length - 5} (stored ${hex32(m.crc)}, computed ${hex32(computed)})`)
    return undefined
  }
  const at = (node: object, field: string, index?: number): number => fieldSpan(m, node as StrataManifest, field, index)?.offset ?? 0
  if (m.shard !== shard) {
    r.error(check, at(m, 'shard'), `manifest belongs to shard ${m.shard}, but it is in the directory of shard ${shard}`)
    return undefined
  }
  if (number >= m.nextFileNumber) {
    r.error(check, at(m, 'next_file_number'), `next_file_number ${m.nextFileNumber} is not above the manifest's own number ${number}`)
  }
  if (m.walNumber === 0) r.error(check, at(m, 'wal_number'), 'the manifest names no WAL (wal_number 0); a shard always has one')
  const seen = new Map<number, string>([[number, manifestFileName(number)], [m.walNumber, 'the WAL']])
  const tables: ListedTable[] = []
  m.tables.forEach((t, i) => {
    const name = tableFileName(t.fileNumber)
    const other = seen.get(t.fileNumber)
    if (other !== undefined) r.error(check, at(t, 'file_number'), `table ${name} has the file number of ${other}`)
    seen.set(t.fileNumber, name)
    if (Buffer.compare(t.smallestKey, t.largestKey) > 0) r.error(check, at(t, 'smallest_key'), `table ${name}: smallest_key sorts after largest_key`)
    tables.push({
      fileNumber: t.fileNumber, fileSize: t.fileSize, level: t.level, entries: t.entries, minSeq: t.minSeq, maxSeq: t.maxSeq,
      smallestKey: Buffer.from(t.smallestKey), largestKey: Buffer.from(t.largestKey), offset: at(m, 'tables', i),
    })
  })
  checkLevels(r, tables)
  return {number, lastSeq: m.lastSeq, walNumber: m.walNumber, walOffset: at(m, 'wal_number'), tables}
}

/**
 * The shape of the levels: level-0 tables (flushes, which may overlap) are
 * listed newest first (descending max_seq); each deeper level is one sorted
 * run, so its tables' key ranges do not overlap.
 */
function checkLevels(r: FileReporter, tables: readonly ListedTable[]): void {
  const l0 = tables.filter((t) => t.level === 0)
  l0.forEach((t, i) => {
    const prev = l0[i - 1]
    if (prev !== undefined && t.maxSeq >= prev.maxSeq) {
      r.error('manifest.replay', t.offset, `level-0 table ${tableFileName(t.fileNumber)} (max_seq ${t.maxSeq}) is listed after ${tableFileName(prev.fileNumber)} (max_seq ${prev.maxSeq}); level 0 is listed newest first`)
    }
  })
  const levels = new Set(tables.filter((t) => t.level > 0).map((t) => t.level))
  for (const level of levels) {
    const run = tables.filter((t) => t.level === level).sort((a, b) => Buffer.compare(a.smallestKey, b.smallestKey))
    for (let i = 1; i < run.length; i++) {
      if (Buffer.compare(run[i - 1].largestKey, run[i].smallestKey) >= 0) {
        r.error('manifest.replay', run[i].offset, `level-${level} tables ${tableFileName(run[i - 1].fileNumber)} and ${tableFileName(run[i].fileNumber)} overlap; a level above 0 is one sorted run`,
          keyRange(run[i].smallestKey, run[i - 1].largestKey))
      }
    }
  }
}
