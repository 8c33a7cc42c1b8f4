/**
 * `strata dump`: reads PATH (a file, a shard directory or a data directory),
 * builds the chosen view of each file and prints it in the chosen format.
 *
 * JSON documents (one per run, streamed as they are built):
 *   summary: {"path", "files": [summary...]}                     (summary.ts)
 *   hex:     {"path", "files": [{"file", "name", "kind", "size", "sections": [{"name", "offset", "size",
 *             "rows": [{"offset": number|null, "inflatedOffset"?, "size", "hex", "truncated", "field", "value", "bad"?}]}]}]}
 *   layout:  {"path", "files": [{"file", "name", "kind", "size", "blocks": [block...]}]}   (layout.ts)
 *   records, latest: {"records": [record...], "count", "tornTails": [{"file", "offset", "bytes", "reason"}]}
 *             (record shape: record-json.ts)
 * Records of a store or shard directory come in key order, each key's
 * versions oldest first (history.ts); of one file, in the file's order.
 * NDJSON: one summary, hex row (with "file" and "section"), layout block
 * (with "file") or record per line. Records' NDJSON lines are `put --batch`
 * lines, and those of a directory (--records or --latest) load into an
 * empty store as exactly its live data. A torn WAL tail (an append in
 * progress) is noted on stderr for the record views, and is part of the
 * summary, hex and layout views.
 *
 * Corruption (a file that does not decode, a checksum that does not verify)
 * ends the run with CORRUPTION naming the file and byte offset: in the
 * summary view at once; in the records of one file after the records before
 * it (a JSON document is then left unfinished); in --hex and --layout after
 * the whole output, which shows the damage.
 */
import {checkDirPath} from '../../../store/data-dir.js'
import type {Output} from '../../output/output.js'
import type {RecordEncodings} from '../../output/records.js'
import {ErrorCode, StrataError} from '../../../errors.js'
import type {FileSystem} from '../../../vfs/fs.js'
import {nodeFileSystem} from '../../../vfs/node-fs.js'
import {Problems} from '../../../dump/checks.js'
import {RecordList} from '../../output/record-list.js'
import {historyRecords} from '../../../dump/history.js'
import * as path from 'node:path'
import {latestRecords} from '../../../dump/latest.js'
import {SchemaView} from '../../../schema/upgrade.js'
import {printHex, printLayouts, printSummaries} from './print-files.js'
import {RECORD_COLUMNS, recordCells, recordJson} from './record-json.js'
import {tableRecords, walRecords, type DumpRecord} from '../../../dump/records.js'
import {resolveSource, sourceFiles, sourceShards, type DumpFile} from '../../../dump/source.js'
import {openTable} from '../../../dump/sstable.js'
import {decodeWalFile, type TornTail} from '../../../dump/wal.js'

/** What to show. */
export type DumpView = 'summary' | 'records' | 'latest' | 'hex' | 'layout'

/** Options for `runDump`. */
export interface DumpOptions {
  readonly path: string
  readonly view: DumpView
  readonly enc: RecordEncodings
  /** --hex: longest byte field shown in full (0: no limit). */
  readonly maxBytes: number
  /** --records: add where each record is to JSON records. */
  readonly locations: boolean
  /** Clock for expiry (ms since the epoch). */
  readonly now?: number
  readonly fs?: FileSystem
  /** `path` is the data directory (--dir), not a PATH argument: a file there is bad input, not a file to dump. */
  readonly pathIsDataDir?: boolean
  /** --latest: read records stamped with a schema at this version (default: its latest). */
  readonly schemaVersion?: number
  /** --latest --raw: records stamped with a schema as stored, not upgraded. */
  readonly raw?: boolean
}

/** Runs a dump; see the file comment. */
export async function runDump(out: Output, o: DumpOptions): Promise<void> {
  const fs = o.fs ?? nodeFileSystem
  if (o.pathIsDataDir === true) checkDirPath(fs, o.path)
  const source = resolveSource(o.path, fs)
  const problems = new Problems(o.view === 'hex' || o.view === 'layout')
  const now = o.now ?? Date.now()
  const tails: TailNote[] = []
  const onTail = (file: string, t: TornTail): void => {
    tails.push({file, ...t})
    if (out.format !== 'json') out.progress(`note: ${file}: torn tail of ${t.bytes} bytes at byte ${t.offset} (${t.reason}): an append in progress or cut short; recovery drops it`)
  }
  if (o.view === 'latest') {
    if (source.type === 'file') {
      throw new StrataError(ErrorCode.INVALID_ARGUMENT, '--latest resolves versions across a whole store: give a data directory (or a shard directory), not one file', {hint: 'use --records to list one file\'s records'})
    }
    const latest = latestRecords(sourceShards(source, fs), {now, problems, onTornTail: onTail})
    // A store's or shard's registry: schemas/ in the store folder (a shard's parent).
    const storeDir = source.type === 'shard' ? path.dirname(source.path) : source.path
    await printRecords(out, upgradedRecords(latest, new SchemaView(storeDir, fs), o), o, now, tails)
  } else if (o.view === 'records') {
    if (source.type === 'file' && (source.file.kind !== 'wal' && source.file.kind !== 'sst')) {
      throw new StrataError(ErrorCode.INVALID_ARGUMENT, `--records lists the entries of a WAL or an SSTable; ${source.file.name} is a ${source.file.kind} file`, {hint: 'drop --records to see what the file holds'})
    }
    // A store or shard: every version in replay order (history.ts), so the lines load back; one file: its entries in file order.
    const records = source.type === 'file'
      ? fileRecords(sourceFiles(source, fs), problems, onTail)
      : historyRecords(sourceShards(source, fs), {problems, onTornTail: onTail})
    await printRecords(out, records, o, now, tails)
  } else if (o.view === 'summary') {
    await printSummaries(out, source.path, sourceFiles(source, fs), problems, o.enc)
  } else if (o.view === 'layout') {
    await printLayouts(out, source.path, sourceFiles(source, fs), problems, o.enc)
  } else {
    await printHex(out, source.path, sourceFiles(source, fs), problems, o)
  }
  problems.throwIfAny()
}

/**
 * `records` read through the lazy upgrade (to o.schemaVersion, default each
 * schema's latest; as stored with o.raw), each stamped one named "NAME@V".
 */
function* upgradedRecords(records: Iterable<DumpRecord>, view: SchemaView, o: DumpOptions): Generator<DumpRecord & {schemaName?: string}> {
  for (const r of records) {
    if (r.schema === undefined || r.kind !== 'put') {
      yield r
      continue
    }
    const u = o.raw === true ? undefined : view.upgradeValue(r.value, r.schema, view.targetOf(r.schema.id, o.schemaVersion))
    const out = u?.ok === true && u.changed ? {...r, value: u.value, schema: u.ref} : r
    yield {...out, schemaName: `${view.nameOf(out.schema!.id)}@${out.schema!.version}`}
  }
}

/** A torn WAL tail met while listing records. */
type TailNote = {readonly file: string} & TornTail

/**
 * The records of every WAL and SSTable among `files`, file by file: a WAL's
 * in log order, a table's in key order. Damage ends the listing, after the
 * records before it.
 */
function* fileRecords(files: Iterable<DumpFile>, problems: Problems, onTail: (file: string, t: TornTail) => void): Generator<DumpRecord> {
  for (const f of files) {
    if (f.kind === 'wal') {
      const v = decodeWalFile(f.bytes, f.path, problems, {untilDamage: true})
      if (v.tornTail) onTail(f.path, v.tornTail)
      yield* walRecords(v, f.path, f.shard)
    } else if (f.kind === 'sst') {
      yield* tableRecords(openTable(f.bytes, f.path, problems), problems, f.shard)
    }
  }
}

async function printRecords(out: Output, records: Iterable<DumpRecord>, o: DumpOptions, now: number, tails: readonly TailNote[]): Promise<void> {
  const {enc} = o
  const cells = (r: DumpRecord): string[] => [r.file, ...recordCells(r, enc, now)]
  const list = new RecordList<DumpRecord>(out, {
    json: (r) => recordJson(r, enc, o.locations),
    text: (r) => cells(r).join('\t'),
    table: (rs) => ({head: ['FILE', ...RECORD_COLUMNS], rows: rs.map(cells)}),
  }, {tableStyle: [out.color.dim]})
  await list.start()
  try {
    for (const r of records) {
      if (out.closed) break
      await list.add(r)
    }
  } catch (err) {
    // The records before the damage are shown in a table too, then the damage is reported.
    if (err instanceof StrataError && err.code === ErrorCode.CORRUPTION) await list.printTable()
    throw err
  }
  await list.finish({count: list.count, tornTails: tails.map((t) => ({file: t.file, offset: t.offset, bytes: t.bytes, reason: t.reason}))})
}

