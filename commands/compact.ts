import type {CompactionReport} from '../src/engine.js'
import {Flags, Progress, StrataCommand, decodeRange, formatBytes, keyEncodingFlag, lockTimeoutFlag, parseDuration, progressFlag, type FlagRule} from '../src/cli/index.js'

/**
 * JSON output: the engine's CompactionReport, {"dryRun": boolean, "shards": [{"shard", "inputTables",
 * "inputBytes", "memtableEntries", "outputTables", "outputBytes", "outputBytesBasis"? (dry run), "entriesIn",
 * "entriesOut", "dropped"}...]}.
 * NDJSON: one shard object per line.
 */
export default class Compact extends StrataCommand {
  static override summary = 'Compact each shard into its deepest level, dropping dead records.'
  static override description = `Flushes each shard's memtable, then merges its tables into its deepest level, dropping overwritten versions, delete tombstones and expired records, and switches the shard's manifest atomically. With --from/--to only the tables holding keys in [from, to) are rewritten (--from must be below --to, else exit 2) (widened to whole tables, so that nothing older can hide below the output). Crash-safe: killed at any moment the store stays valid with exactly its data; run it again and it finishes. Progress goes to stderr when it is a terminal (or with --progress).

Writes already compact in the background of each write command, in bounded steps (leveled compaction); this command forces a full rewrite, e.g. to reclaim the space of deleted keys at once.

Every table a compaction covers is read whole and rewritten, so every block's checksum is checked: a damaged table fails the compaction with exit 3 (CORRUPTION). A full compaction (no --from/--to) merges the memtable and every table in one step and changes nothing when it fails; a range compaction first flushes the memtable into a table.

--dry-run reports what would be done and changes nothing: the tables it would read, the exact number of entries it would keep, and the output size estimated from the input tables' properties (their size per key and value byte). With no table yet to measure, the size is the raw size, as if uncompressed, and says so.`

  static override examples = [
    {description: 'Compact every shard.', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Compact shard 2 only.', command: '<%= config.bin %> <%= command.id %> --shard 2'},
    {description: 'Compact the keys from user: up to (not including) user;.', command: '<%= config.bin %> <%= command.id %> --from user: --to "user;"'},
    {description: 'Show what compaction would do, as JSON.', command: '<%= config.bin %> <%= command.id %> --dry-run --format json'},
  ]

  static override flagRules: readonly FlagRule[] = [
    {flag: 'key-encoding', needs: ['from', 'to'], why: 'it says how --from and --to are written'},
    {flag: 'lock-timeout', conflicts: ['dry-run'], why: '--dry-run only reads and takes no lock'},
  ]

  static override flags = {
    shard: Flags.integer({summary: 'Only this shard (0-based).', min: 0, helpValue: 'N'}),
    from: Flags.string({summary: 'Only keys from this one (included), in --key-encoding.', helpValue: 'KEY'}),
    to: Flags.string({summary: 'Only keys below this one (excluded), in --key-encoding.', helpValue: 'KEY'}),
    'dry-run': Flags.boolean({summary: 'Report what would be done; write nothing.'}),
    'key-encoding': keyEncodingFlag,
    'lock-timeout': lockTimeoutFlag,
    progress: progressFlag,
  }

  async run(): Promise<void> {
    const {flags} = await this.parseCommand(Compact)
    const lockTimeoutMs = parseDuration(flags['lock-timeout'], {what: '--lock-timeout', allowZero: true})
    const progress = new Progress(this.output, flags.progress)
    const dryRun = flags['dry-run']
    const {from, to} = decodeRange(flags, flags['key-encoding'])
    const store = dryRun ? await this.openReader(flags.dir) : await this.openWriter(flags.dir, {sync: 'always', lockTimeoutMs})
    const report = await this.using(store, (s) => s.compact({
      ...(flags.shard === undefined ? {} : {shard: flags.shard}),
      ...(from === undefined ? {} : {from}),
      ...(to === undefined ? {} : {to}),
      dryRun,
      onProgress: (done, total) => progress.update(`compact: ${done}/${total} shard${total === 1 ? '' : 's'} done`, done === total),
    }))
    await this.print(report)
  }

  private async print(report: CompactionReport): Promise<void> {
    const out = this.output
    if (out.format === 'json') return out.json({dryRun: report.dryRun, shards: [...report.shards]})
    if (out.format === 'ndjson') {
      for (const s of report.shards) await out.ndjson({dryRun: report.dryRun, ...s})
      return
    }
    if (out.format === 'table') {
      await out.table(
        ['SHARD', 'TABLES IN', 'BYTES IN', 'MEMTABLE', 'ENTRIES IN', 'TABLES OUT', 'BYTES OUT', 'ENTRIES OUT', 'DROPPED'],
        report.shards.map((s) => [
          s.shard, s.inputTables, formatBytes(s.inputBytes), s.memtableEntries, s.entriesIn, s.outputTables,
          `${report.dryRun && s.outputBytes > 0 ? '~' : ''}${formatBytes(s.outputBytes)}${s.outputBytesBasis === 'uncompressed' ? ' (raw)' : ''}`, s.entriesOut, s.dropped,
        ].map(String)),
        {align: ['right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right']},
      )
      if (report.dryRun) await out.line('dry run: nothing was written')
      return
    }
    const verb = report.dryRun ? 'would compact' : 'compacted'
    for (const s of report.shards) {
      if (s.inputTables === 0 && s.memtableEntries === 0) {
        await out.line(`shard ${s.shard}: nothing to compact`)
        continue
      }
      const memtable = s.memtableEntries > 0 ? ` and the memtable (${plural(s.memtableEntries, 'entry', 'entries')})` : ''
      const estimate = report.dryRun && s.outputBytes > 0 ? '~' : ''
      const basis = s.outputBytesBasis === 'uncompressed' ? '; size as if uncompressed: no table shows how the data compresses' : ''
      await out.line(`shard ${s.shard}: ${verb} ${plural(s.inputTables, 'table', 'tables')} (${formatBytes(s.inputBytes)})${memtable}, ${plural(s.entriesIn, 'entry', 'entries')},` +
        ` into ${plural(s.outputTables, 'table', 'tables')} (${estimate}${formatBytes(s.outputBytes)}, ${plural(s.entriesOut, 'entry', 'entries')}), dropping ${s.dropped}${basis}`)
    }
  }
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`
}
