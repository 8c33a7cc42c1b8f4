import type {ShardStats, StoreStats} from '../src/engine.js'
import {StrataCommand, compressionText, formatBytes, type Format} from '../src/cli/index.js'

/**
 * JSON output: the engine's StoreStats, {"dir", "formatVersion", "shardCount", "hash", "compression",
 * "shards": [{"shard", "tables", "tableBytes", "tableEntries", "tombstones", "walBytes", "memtableEntries",
 * "memtableBytes", "lastSeq"}...], "totals": {same fields without shard and lastSeq}}.
 * NDJSON: one shard object per line.
 */
export default class Stats extends StrataCommand {
  static override summary = 'Show per-shard statistics: tables, bytes, entries, tombstones, WAL, memtable.'
  static override description = `Reads the store without taking the writer lock and without changing it. Entries count every version in the SSTables (tombstones included); memtable figures are what the WAL holds that is not yet in an SSTable. A table on a terminal, text lines when piped, or --format json.`

  static override examples = [
    {description: 'Show statistics.', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Statistics as JSON for a script.', command: '<%= config.bin %> <%= command.id %> --format json'},
  ]

  protected override defaultFormat(): Format {
    return this.stdoutIsTTY ? 'table' : 'text'
  }

  async run(): Promise<void> {
    const {flags} = await this.parseCommand(Stats)
    const store = await this.openReader(flags.dir)
    const stats = await this.using(store, async (s) => s.stats())
    await this.print(stats)
  }

  private async print(st: StoreStats): Promise<void> {
    const out = this.output
    if (out.format === 'json') return out.json(st)
    if (out.format === 'ndjson') {
      for (const s of st.shards) await out.ndjson(s)
      return
    }
    const summary = `store ${st.dir}: format v${st.formatVersion}, ${st.shardCount} shard${st.shardCount === 1 ? '' : 's'}, hash ${st.hash}, ${compressionText(st.compression)}`
    if (out.format === 'table') {
      await out.line(summary)
      const row = (name: string, s: StoreStats['totals'], lastSeq: string, levels: string): string[] => [
        name, String(s.tables), levels, formatBytes(s.tableBytes), String(s.tableEntries), String(s.tombstones),
        formatBytes(s.walBytes), String(s.memtableEntries), formatBytes(s.memtableBytes), lastSeq,
      ]
      await out.table(
        ['SHARD', 'TABLES', 'PER LEVEL', 'TABLE BYTES', 'ENTRIES', 'TOMBSTONES', 'WAL', 'MEMTABLE', 'MEMTABLE BYTES', 'LAST SEQ'],
        [...st.shards.map((s) => row(String(s.shard), s, String(s.lastSeq), levelsText(s))), row('total', st.totals, '', '')],
        {align: Array(10).fill('right')},
      )
      return
    }
    await out.line(summary)
    const line = (name: string, s: StoreStats['totals'], extra: string): string =>
      `${name}: tables=${s.tables} tableBytes=${s.tableBytes} entries=${s.tableEntries} tombstones=${s.tombstones}` +
      ` walBytes=${s.walBytes} memtableEntries=${s.memtableEntries} memtableBytes=${s.memtableBytes}${extra}`
    for (const s of st.shards) await out.line(line(`shard ${s.shard}`, s, ` lastSeq=${s.lastSeq}${s.levels.length ? ` levels=${levelsText(s)}` : ''}`))
    await out.line(line('total', st.totals, ''))
  }
}

/** "L0:2 L1:5" — tables per non-empty level. */
function levelsText(s: ShardStats): string {
  return s.levels.map((l) => `L${l.level}:${l.tables}`).join(' ')
}
