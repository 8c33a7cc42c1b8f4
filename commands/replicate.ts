import {replicate, type CutReport} from '../src/replicate/index.js'
import {Args, Flags, Progress, StrataCommand, formatBytes, lockTimeoutFlag, parseDuration, progressFlag, transferLine, type FlagRule} from '../src/cli/index.js'

/**
 * JSON output: {"dir", "dest", "cuts": [{"id", "takenAt", "time", "shards", "records", "digest",
 * "objects", "bytes", "shippedObjects", "shippedBytes",
 * "retention"?: {"cutsDeleted", "objectsDeleted", "bytesDeleted", "objectsPending"}}...]}.
 * NDJSON: one cut object per line, printed as each cut is shipped.
 */
export default class Replicate extends StrataCommand {
  static override summary = 'Ship a cut of the store to a replica in a directory or an S3 bucket.'
  static override description = `Takes a cut of the store (the writer lock is held only while taking it) and ships it to DEST: a directory (a plain path or file:///path) or s3://bucket/prefix. Tables and manifests are uploaded once and never again; of each WAL only the bytes past what the previous cut shipped go; the cut's descriptor (every object with its size and SHA-256, each shard's sequence number, the store digest at the cut) is written last, so a cut exists whole or not at all. A run's work grows with what changed since the previous cut, not with the store.

--follow ships a cut every --interval until SIGINT or SIGTERM, then one last cut holding every write acknowledged before the signal, and exits 0.

One replicator per destination: a second is refused with exit 4 naming the holder. A replicator killed with kill -9 leaves its lease behind; the next run on the same host takes it over at once (the holder's process is gone), from another host after 60 s without heartbeat. A destination bound to another store is refused with exit 2 (each store has an identity, DIR/STORE-ID, made by its first replicate).

Retention (--keep N or --retain DURATION) runs after each cut: it deletes older cuts, never the newest nor one a running restore reads, and the objects no remaining cut uses once they have been unused for --grace (default 10m), orphans of killed runs included. The source store is only read, apart from its pins, its lock and STORE-ID.`

  static override examples = [
    {description: 'Ship a cut of the store in $STRATA_DIR (else ./data) to a directory.', command: '<%= config.bin %> <%= command.id %> ./replica'},
    {description: 'Ship a cut and keep only the newest 3, reporting as JSON.', command: '<%= config.bin %> <%= command.id %> ./replica --keep 3 --format json'},
    {description: 'Ship a cut every second until SIGTERM (here sent by timeout after 5 seconds), then a last one; keep a day of cuts.', command: 'timeout --preserve-status 5 <%= config.bin %> <%= command.id %> ./replica --follow --interval 1s --retain 24h'},
    {description: 'Ship a cut and keep the newest 10. An S3-compatible bucket is named s3://bucket/prefix (credentials, region and endpoint from the AWS_* variables).', command: '<%= config.bin %> <%= command.id %> ./replica --keep 10'},
  ]

  static override args = {
    dest: Args.string({description: 'The replica: a directory, file:///path or s3://bucket/prefix.', required: true, ignoreStdin: true}),
  }

  static override flagRules: readonly FlagRule[] = [
    {flag: 'keep', conflicts: ['retain'], why: 'choose one retention rule'},
    {flag: 'interval', needs: ['follow'], why: '--interval is the period of --follow'},
    {flag: 'grace', needs: ['keep', 'retain'], why: '--grace is part of retention'},
  ]

  static override flags = {
    follow: Flags.boolean({summary: 'Keep shipping a cut every --interval until SIGINT/SIGTERM, then ship a last one.'}),
    interval: Flags.string({summary: 'Time between cuts with --follow (default 1s).', helpValue: 'DURATION'}),
    keep: Flags.integer({summary: 'Retention: keep the newest N cuts.', min: 1, helpValue: 'N'}),
    retain: Flags.string({summary: 'Retention: keep the cuts taken within DURATION (24h, 7d).', helpValue: 'DURATION'}),
    grace: Flags.string({summary: 'Retention: how long an object no cut uses waits before it is deleted.', default: '10m', helpValue: 'DURATION'}),
    'lock-timeout': lockTimeoutFlag,
    progress: progressFlag,
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parseCommand(Replicate)
    const out = this.output
    const json = out.format === 'json' || out.format === 'ndjson'
    const progress = new Progress(out, flags.progress ?? (json ? false : undefined))
    const controller = new AbortController()
    const stop = (): void => controller.abort()
    // Only --follow turns a signal into "ship a last cut"; a single run stops as any command does.
    if (flags.follow) {
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
    }
    let started = Date.now()
    try {
      const report = await replicate(flags.dir, args.dest, {
        follow: flags.follow,
        intervalMs: flags.interval === undefined ? 1000 : parseDuration(flags.interval, {what: '--interval'}),
        signal: controller.signal,
        lockTimeoutMs: parseDuration(flags['lock-timeout'], {what: '--lock-timeout', allowZero: true}),
        ...(flags.keep === undefined ? {} : {keep: flags.keep}),
        ...(flags.retain === undefined ? {} : {maxAgeMs: parseDuration(flags.retain, {what: '--retain'})}),
        graceMs: parseDuration(flags.grace, {what: '--grace', allowZero: true}),
        onProgress: (p) => progress.update(transferLine('replicate', p, started), p.objects === p.totalObjects),
        onCut: async (c) => {
          started = Date.now()
          if (out.format === 'ndjson') await out.ndjson(c)
          else if (!json && flags.follow) await out.line(cutLine(c))
        },
      })
      if (out.format === 'json') return out.json(report)
      if (out.format !== 'ndjson' && !flags.follow) await out.line(`${cutLine(report.cuts[0])} to ${report.dest}`)
    } finally {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
    }
  }
}

function cutLine(c: CutReport): string {
  const r = c.retention
  const kept = r === undefined ? '' : `; retention deleted ${r.cutsDeleted} cut${r.cutsDeleted === 1 ? '' : 's'} and ${r.objectsDeleted} object${r.objectsDeleted === 1 ? '' : 's'} (${formatBytes(r.bytesDeleted)})`
  return `cut ${c.id} (${c.time}, ${c.records} records, ${c.objects} objects, ${formatBytes(c.bytes)}): shipped ${c.shippedObjects} object${c.shippedObjects === 1 ? '' : 's'}, ${formatBytes(c.shippedBytes)}${kept}`
}
