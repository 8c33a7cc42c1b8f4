import type {CompactionReport} from '../src/engine.js'
import {Flags, Progress, StrataCommand, decodeRange, formatBytes, keyEncodingFlag, lockTimeoutFlag, parseDuration, progressFlag, type FlagRule} from '../src/cli/index.js'

/**
 * JSON output: the engine's CompactionReport, {"dryRun": boolean, "shards": [{"shard", "inputTables",
 * "inputBytes", "outputTables", "outputBytes", "entriesIn", "entriesOut", "dropped"}...]}.
 * NDJSON: one shard object per line.
 */
export default class Compact extends StrataCommand {
  static override summary = 'Compact each shard into its deepest level, dropping dead records.'
  static override description = `Flushes each shard's memtable, then merges its tables into its deepest level, dropping overwritten versions, delete tombstones and expired records, and switches the shard's manifest atomically. With --from/--to only the tables holding keys in [from, to) are rewritten (--from must be below --to, else exit 2) (widened to whole tables, so that nothing older can hide below the output). Crash-safe: killed at any moment the store stays valid with exactly its data; run it again and it finishes. Progress goes to stderr when it is a terminal (or with --progress).

Writes already compact in the background of each write command, in bounded steps (leveled compaction); this command forces a full rewrite, e.g. to reclaim the space of deleted keys at once.

--dry-run reports what would be done and changes nothing.`

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
        ['SHARD', 'TABLES IN', 'BYTES IN', 'ENTRIES IN', 'TABLES OUT', 'BYTES OUT', 'ENTRIES OUT', 'DROPPED'],
        report.shards.map((s) => [s.shard, s.inputTables, formatBytes(s.inputBytes), s.entriesIn, s.outputTables, formatBytes(s.outputBytes), s.entriesOut, s.dropped].map(String)),
        {align: ['right', 'right', 'right', 'right', 'right', 'right', 'right', 'right']},
      )
      if (report.dryRun) await out.line('dry run: nothing was written')
      return
    }
    const verb = report.dryRun ? 'would compact' : 'compacted'
    for (const s of report.shards) {
      await out.line(`shard ${s.shard}: ${verb} ${s.inputTables} table${s.inputTables === 1 ? '' : 's'} (${formatBytes(s.inputBytes)}, ${plural(s.entriesIn, 'entry', 'entries')})` +
        ` into ${s.outputTables} (${s.outputBytes > 0 && report.dryRun ? '~' : ''}${formatBytes(s.outputBytes)}, ${plural(s.entriesOut, 'entry', 'entries')}), dropping ${s.dropped}`)
    }
  }
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`
}
