import {rebalance, type RebalanceProgress, type RebalanceReport} from '../src/engine.js'
import {Flags, Progress, StrataCommand, formatBytes, lockTimeoutFlag, parseDuration, progressFlag, type FlagRule} from '../src/cli/index.js'

/**
 * JSON output: {"action": "rebalanced" | "dry-run" | "noop" | "aborted" | "cleaned" | "none", "from", "to",
 * "dryRun", "resumed", "keysTotal", "bytesTotal", "keysMoved", "bytesMoved", "fraction", "expectedFraction",
 * "bytesWritten", "tablesLinked", "tablesCopied", "tombstones", "generation"? , "digestBefore"?, "digestAfter"?,
 * "matrix": {"keys": [[number]], "bytes": [[number]]} (rows: old shards, columns: new shards), "message"?}.
 */
export default class ShardRebalance extends StrataCommand {
  static override summary = 'Change the shard count in place, moving only the keys whose shard changes.'
  static override description = `Rebuilds the store with --shards M shards as the next shard generation (folders shard-NNNN.gG beside the old ones) and switches to it by replacing STORE atomically, its one commit point. Jump hash moves only the keys whose shard changes, |M−N|/max(N,M) of them in expectation: growing, keys move only into the new shards; shrinking, only out of the removed ones. Shards kept in both generations keep their table files (hard links); the keys that left them are shadowed by tombstones that compaction drops later. Every record keeps its value, expiry, JSON flag and schema reference; expired records and tombstones are not moved.

Before the switch the new generation's digest is compared with the old one's; they must be equal (a difference is exit 3 and nothing is committed). Readers (get, scan, dump, verify, digest, explain) go on meanwhile and see one generation or the other. Writers wait: the rebalance holds the writer lock.

Crash-safe: a journal (DIR/REBALANCE) records the plan and which new shards are built. Killed before the switch, the store is the old one, intact, and other write commands fail with BUSY (exit 4) until you run --resume (or the same command again) to finish, or --abort to throw the new generation away. Killed after it, the store is the new one; --resume, --abort, the same command or the next writer removes the old generation's folders.

--dry-run reads the data and prints the exact plan (keys and bytes in total and to move, the fraction beside the formula's, and the source→target matrix) and writes nothing. M equal to the shard count is a no-op. A damaged store (a record that cannot be read) is refused with exit 3 before anything is written.`

  static override examples = [
    {description: 'Show what going to 6 shards would move.', command: '<%= config.bin %> <%= command.id %> --shards 6 --dry-run'},
    {description: 'Go to 6 shards and print the report as JSON.', command: '<%= config.bin %> <%= command.id %> --shards 6 --format json'},
    {description: 'Finish a rebalance that was interrupted.', command: '<%= config.bin %> <%= command.id %> --resume'},
    {description: 'Throw away an unfinished rebalance (before its commit point).', command: '<%= config.bin %> <%= command.id %> --abort'},
  ]

  static override flagRules: readonly FlagRule[] = [
    {flag: 'abort', conflicts: ['resume', 'dry-run', 'shards'], why: '--abort throws away the unfinished rebalance the journal names'},
  ]

  static override flags = {
    shards: Flags.integer({summary: 'The new number of shards, 1 to 1024.', min: 1, max: 1024, helpValue: 'M'}),
    'dry-run': Flags.boolean({summary: 'Print the exact plan from the data; write nothing.'}),
    resume: Flags.boolean({summary: 'Finish an interrupted rebalance (its journal says to how many shards).'}),
    abort: Flags.boolean({summary: 'Throw away an unfinished rebalance, before its commit point.'}),
    'lock-timeout': lockTimeoutFlag,
    progress: progressFlag,
  }

  async run(): Promise<void> {
    const {flags} = await this.parseCommand(ShardRebalance)
    const lockTimeoutMs = parseDuration(flags['lock-timeout'], {what: '--lock-timeout', allowZero: true})
    const progress = new Progress(this.output, flags.progress)
    const started = Date.now()
    const report = await rebalance(flags.dir, {
      ...(flags.shards === undefined ? {} : {shards: flags.shards}),
      dryRun: flags['dry-run'],
      resume: flags.resume,
      abort: flags.abort,
      lockTimeoutMs,
      onProgress: (p) => progress.update(progressLine(p, started), p.done === p.total),
    })
    await this.print(report)
  }

  private async print(r: RebalanceReport): Promise<void> {
    const out = this.output
    if (out.format === 'json' || out.format === 'ndjson') return out.json(r)
    if (r.message !== undefined) {
      await out.line(r.message)
      return
    }
    const pct = (x: number): string => `${(x * 100).toFixed(1)}%`
    const moved = `${r.keysMoved} of ${r.keysTotal} keys (${pct(r.fraction)}; jump hash moves ${pct(r.expectedFraction)} in expectation), ${formatBytes(r.bytesMoved)} of ${formatBytes(r.bytesTotal)}`
    if (out.format === 'table') {
      const cells: string[][] = []
      r.matrix.keys.forEach((row, s) => row.forEach((keys, t) => {
        if (keys > 0) cells.push([String(s), String(t), String(keys), formatBytes(r.matrix.bytes[s][t]), s === t ? 'stays' : 'moves'])
      }))
      await out.table(['FROM SHARD', 'TO SHARD', 'KEYS', 'BYTES', ''], cells, {align: ['right', 'right', 'right', 'right', 'left']})
    } else {
      r.matrix.keys.forEach((row, s) => row.forEach((keys, t) => {
        if (keys > 0 && s !== t) void out.line(`  shard ${s} → shard ${t}: ${keys} keys, ${formatBytes(r.matrix.bytes[s][t])}`)
      }))
    }
    if (r.dryRun) {
      await out.line(`dry run: ${r.from} → ${r.to} shards would move ${moved}; nothing was written`)
      return
    }
    await out.line(`rebalanced ${r.from} → ${r.to} shards (generation ${r.generation}${r.resumed ? ', resumed' : ''}): moved ${moved}; wrote ${formatBytes(r.bytesWritten)}, linked ${r.tablesLinked} table${r.tablesLinked === 1 ? '' : 's'}`)
    await out.line(`digest before: ${r.digestBefore}`)
    await out.line(`digest after:  ${r.digestAfter} (equal)`)
  }
}

/** One progress line: the phase, keys and bytes moved, the rate and an estimate of the time left. */
function progressLine(p: RebalanceProgress, started: number): string {
  if (p.phase !== 'copy') return `shard-rebalance: ${p.phase}${p.total > 1 ? ` ${p.done}/${p.total} shards` : ''}`
  const secs = Math.max(0.001, (Date.now() - started) / 1000)
  const rate = p.keysMoved / secs
  const left = rate > 0 ? Math.ceil((p.keysToMove - p.keysMoved) / rate) : 0
  return `shard-rebalance: copy ${p.done}/${p.total} shards, ${p.keysMoved}/${p.keysToMove} keys (${formatBytes(p.bytesMoved)} of ${formatBytes(p.bytesToMove)}) moved, ${Math.round(rate)} keys/s, ETA ${left}s`
}
