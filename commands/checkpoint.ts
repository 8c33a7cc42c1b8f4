import {checkpoint, type CheckpointReport} from '../src/engine.js'
import {Args, Flags, StrataCommand, formatBytes, lockTimeoutFlag, parseDuration} from '../src/cli/index.js'

/**
 * JSON output: {"dir", "out", "takenAt", "files", "bytes", "linked", "copied",
 * "shards": [{"shard", "seq", "files", "bytes", "linked", "copied", "walBytes"}...]}.
 * NDJSON: one shard object per line.
 */
export default class Checkpoint extends StrataCommand {
  static override summary = 'Write a consistent copy of the store at one instant into a new directory.'
  static override description = `Takes a cut of the store (every shard's manifest, WAL length and last sequence number, under the writer lock for a few milliseconds) and writes it into OUT as a new store with the same shard count and options. Tables and manifests are hard-linked when OUT is on the same filesystem (copied otherwise); each WAL is copied up to its length at the cut. Writers may go on during the copy: the checkpoint holds exactly the writes acknowledged before the cut, and the cut's files stay pinned (DIR/pins/) until it is done.

OUT must not exist or be empty. Exit 0 means OUT is complete and durable. STORE is written last: a checkpoint killed at any moment leaves the source as it was and OUT without STORE (it does not open, NOT_A_STORE); run the same command again and it clears the partial OUT and starts over. A pin left by a killed checkpoint is removed by the next command that writes to the store.`

  static override examples = [
    {description: 'Checkpoint the store in $STRATA_DIR (else ./data) into ./backup/2026-11-29.', command: '<%= config.bin %> <%= command.id %> ./backup/2026-11-29'},
    {description: 'Checkpoint a busy store, waiting up to 30s for the writer lock; report as JSON.', command: '<%= config.bin %> <%= command.id %> --dir "${STRATA_DIR:-./data}" ./snap --lock-timeout 30s --format json'},
    {description: 'A checkpoint that shares no file with the source (every file copied).', command: '<%= config.bin %> <%= command.id %> ./copy-2026-11-29 --copy'},
    {description: 'Read the checkpoint like any store.', command: '<%= config.bin %> scan --dir ./snap'},
  ]

  static override args = {
    out: Args.string({description: 'New or empty directory to write the checkpoint into.', required: true, ignoreStdin: true}),
  }

  static override flags = {
    'lock-timeout': lockTimeoutFlag,
    copy: Flags.boolean({description: 'Copy every file instead of hard-linking tables and manifests, so that OUT shares no inode with the source.'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parseCommand(Checkpoint)
    const lockTimeoutMs = parseDuration(flags['lock-timeout'], {what: '--lock-timeout', allowZero: true})
    const out = this.output
    const tty = process.stderr.isTTY === true
    let shown = 0
    const report = await checkpoint(flags.dir, args.out, {
      lockTimeoutMs,
      copy: flags.copy,
      onProgress: (done, total) => {
        if (!tty || (done < total && Date.now() - shown < 250)) return
        shown = Date.now()
        out.progress(`checkpoint: ${done}/${total} files`)
      },
    })
    await this.print(report)
  }

  private async print(r: CheckpointReport): Promise<void> {
    const out = this.output
    if (out.format === 'json') return out.json(r)
    if (out.format === 'ndjson') {
      for (const s of r.shards) await out.ndjson({out: r.out, ...s})
      return
    }
    if (out.format === 'table') {
      await out.table(
        ['SHARD', 'SEQ', 'FILES', 'LINKED', 'COPIED', 'BYTES', 'WAL BYTES'],
        r.shards.map((s) => [s.shard, s.seq, s.files, s.linked, s.copied, formatBytes(s.bytes), formatBytes(s.walBytes)].map(String)),
        {align: ['right', 'right', 'right', 'right', 'right', 'right', 'right']},
      )
      return
    }
    await out.line(`checkpoint of ${r.dir} written to ${r.out}: ${r.shards.length} shard${r.shards.length === 1 ? '' : 's'}, ${r.files} files (${r.linked} linked, ${r.copied} copied), ${formatBytes(r.bytes)}`)
  }
}
