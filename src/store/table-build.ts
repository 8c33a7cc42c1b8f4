/**
 * Building a shard's tables: a sorted stream of entries written into new
 * SSTables at one level, cut at the policy's target size.
 */
import type {Entry} from '../record/format.js'
import {TableBuilder} from '../sstable/builder.js'
import {TableReader} from '../sstable/reader.js'
import type {TableMeta} from '../manifest/format.js'
import {joinPath, tableFileName} from '../layout/names.js'
import type {LiveTable} from './levels.js'
import type {ShardContext} from './shard-types.js'

/**
 * Writes sorted entries into new tables at `level`, cutting a table once it
 * reaches the policy's target size (level 0: never cut). Each table is
 * synced; the caller syncs the directory before a manifest names them.
 * File numbers come from `allocate`.
 */
export function buildTables(ctx: ShardContext, allocate: () => number, entries: Iterable<Entry>, level: number, createdBy: string): LiveTable[] {
  const {fs, dir} = ctx
  const out: LiveTable[] = []
  const target = level === 0 ? Infinity : ctx.policy.targetFileBytes
  let builder: TableBuilder | undefined
  let path = ''
  let number = 0
  const finish = (): void => {
    const {fileSize, properties: p} = builder!.finish()
    builder = undefined
    const meta: TableMeta = {
      fileNumber: number,
      fileSize,
      level,
      entries: p.entries,
      minSeq: p.minSeq,
      maxSeq: p.maxSeq,
      smallestKey: Buffer.from(p.smallestKey),
      largestKey: Buffer.from(p.largestKey),
    }
    out.push({meta, reader: TableReader.open({fs, ...(ctx.files ? {files: ctx.files} : {})}, path, ctx.cache)})
  }
  try {
    for (const e of entries) {
      if (builder === undefined) {
        number = allocate()
        path = joinPath(dir, tableFileName(number))
        builder = new TableBuilder(fs, path, {
          compression: ctx.compression,
          blockSize: ctx.blockSize,
          shard: ctx.index,
          level,
          createdBy: `${ctx.createdBy} ${createdBy}`,
          now: ctx.now,
        })
      }
      builder.add(e)
      if (builder.estimatedSize() >= target) finish()
    }
    if (builder !== undefined) finish()
  } catch (err) {
    builder?.abandon()
    for (const t of out) {
      t.reader.close()
      fs.unlink(t.reader.path)
    }
    throw err
  }
  return out
}
