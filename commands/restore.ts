import {listCuts, restore, type CutSummary, type RestoreReport} from '../src/restore/index.js'
import {Args, Flags, Progress, StrataCommand, formatBytes, parseInstant, progressFlag, transferLine, type FlagRule} from '../src/cli/index.js'

/**
 * JSON output: {"src", "out", "cut", "takenAt", "time", "shards", "records", "digest", "objects", "bytes",
 * "verify", "dryRun"}. With --list: [{"id", "takenAt", "time", "shards", "records", "objects", "bytes", "digest"}...]
 * ([] for a replica without cuts). NDJSON: the same objects, one per line.
 */
export default class Restore extends StrataCommand {
  static override summary = 'Rebuild a store from a replica, at its newest cut or any recorded one.'
  static override description = `Reads a cut of the replica SRC (a directory, file:///path or s3://bucket/prefix, as written by replicate) and writes it into --dir OUT as a new store: the newest cut, the cut --cut ID, or the newest cut taken at or before --time. OUT must not exist or be empty.

--verify quick checks every object's size and SHA-256 as it arrives; full (the default) also computes the digest of the restored store and compares it with the digest the source had at the cut; none checks sizes only. A missing or damaged object, or a cut descriptor that does not parse, is exit 3 naming it. STORE is written last, after every file is durable and verified: a restore killed or failed at any moment leaves an OUT that does not open as a store, and the same command run again clears it and starts over.

--list shows the replica's cuts (id, time, records, bytes, digest); --dry-run shows what a restore would fetch and writes nothing. While it runs, a restore registers itself in the replica, so retention keeps its cut. The restored store has an identity of its own: replicate it to a new destination.`

  static override examples = [
    {description: 'List the cuts of a replica (made here by the first example of replicate).', command: '<%= config.bin %> <%= command.id %> ./replica --list'},
    {description: 'Show what restoring the newest cut would fetch.', command: '<%= config.bin %> <%= command.id %> ./replica --dry-run --dir ./restored'},
    {description: 'Restore the newest cut into a new directory, as JSON.', command: '<%= config.bin %> <%= command.id %> ./replica --dir ./restored --format json'},
    {description: 'Restore the store as it was at a time (here: now); an S3 replica is named s3://bucket/prefix.', command: '<%= config.bin %> <%= command.id %> ./replica --time "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --verify quick --dir ./restored-at-time'},
  ]

  static override args = {
    src: Args.string({description: 'The replica: a directory, file:///path or s3://bucket/prefix.', required: true, ignoreStdin: true}),
  }

  static override flagRules: readonly FlagRule[] = [
    {flag: 'cut', conflicts: ['time', 'list'], why: 'a restore reads one cut'},
    {flag: 'time', conflicts: ['list'], why: '--list shows every cut'},
    {flag: 'list', conflicts: ['dry-run', 'verify'], why: '--list only lists the cuts'},
  ]

  static override flags = {
    cut: Flags.string({summary: 'Restore the cut with this id (see --list).', helpValue: 'ID'}),
    time: Flags.string({summary: 'Restore the newest cut taken at or before this instant (ISO-8601 with a time zone, or epoch ms).', helpValue: 'ISO-8601'}),
    list: Flags.boolean({summary: 'List the cuts of the replica; restore nothing.'}),
    'dry-run': Flags.boolean({summary: 'Show the cut and what would be fetched; write nothing.'}),
    verify: Flags.string({summary: 'How to check what is restored (default full).', options: ['none', 'quick', 'full'], default: 'full'}),
    progress: progressFlag,
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parseCommand(Restore)
    const out = this.output
    if (flags.list) return this.printList(await listCuts(args.src))
    const json = out.format === 'json' || out.format === 'ndjson'
    const progress = new Progress(out, flags.progress ?? (json ? false : undefined))
    const started = Date.now()
    const report = await restore(args.src, flags.dir, {
      ...(flags.cut === undefined ? {} : {cut: flags.cut}),
      ...(flags.time === undefined ? {} : {time: parseInstant(flags.time, '--time')}),
      verify: flags.verify as 'none' | 'quick' | 'full',
      dryRun: flags['dry-run'],
      onProgress: (p) => progress.update(transferLine('restore', p, started), p.objects === p.totalObjects),
    })
    await this.print(report)
  }

  private async printList(cuts: CutSummary[]): Promise<void> {
    const out = this.output
    if (out.format === 'json') return out.json(cuts)
    if (out.format === 'ndjson') {
      for (const c of cuts) await out.ndjson(c)
      return
    }
    await out.table(
      ['ID', 'TIME', 'RECORDS', 'OBJECTS', 'BYTES', 'DIGEST'],
      cuts.map((c) => [c.id, c.time, String(c.records), String(c.objects), formatBytes(c.bytes), c.digest]),
      {align: ['left', 'left', 'right', 'right', 'right', 'left']},
    )
  }

  private async print(r: RestoreReport): Promise<void> {
    const out = this.output
    if (out.format === 'json' || out.format === 'ndjson') return out.json(r)
    const what = `cut ${r.cut} of ${r.src} (${r.time}): ${r.shards} shard${r.shards === 1 ? '' : 's'}, ${r.records} records, ${r.objects} objects, ${formatBytes(r.bytes)}`
    if (r.dryRun) {
      await out.line(`dry run: would restore ${what} into ${r.out}; nothing was written`)
      return
    }
    await out.line(`restored ${what} into ${r.out}; verify ${r.verify}${r.verify === 'full' ? `, digest ${r.digest} (equal)` : ''}`)
  }
}
