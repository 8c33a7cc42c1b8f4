import {repairStore, type RepairReport} from '../src/repair/index.js'
import {Flags, StrataCommand} from '../src/cli/index.js'

/**
 * JSON output (src/repair/repair.ts RepairReport): {"dir", "action": "rebuilt" | "none", "dryRun", "reason",
 * "store": {"shards", "hash", "compression", "formatVersion", "blockSize", "shardGeneration"}, "defaults": [string],
 * "damagedStoreKeptAs"?: string, "shards": [{"shard", "tables", "walBytes", "keys"}]}.
 */
export default class Repair extends StrataCommand {
  static override summary = 'Rebuild a missing or damaged STORE descriptor from the shard directories.'
  static override description = `For a store whose STORE file was lost or damaged (other commands then say NOT_A_STORE or CORRUPTION about STORE). The shard count is the number of shard directories (shard-0000 … without a gap); every shard must open and read through, and every key must hash to the shard it is in. Then STORE is written atomically. Nothing is ever deleted: a damaged STORE is kept as STORE.damaged-<ms>.

What the shards cannot tell takes a default, listed in the output: the compression of new tables (zlib, or --compression; tables written before keep theirs), the block size of new tables (4096), the shard generation (0) and the creation time (now).

Refuses, changing nothing: with exit 3 when the shards are not consistent (a missing shard directory, a shard that does not read, a key in the wrong shard, a count that differs from --shards), and with exit 2 when the directory is not a store at all (no shard directories, or an init that did not finish: run init again). An intact STORE is left alone. A lost last shard directory cannot be detected from the others: pass --shards when you know the count.`

  static override examples = [
    {description: 'See what would be rebuilt, writing nothing.', command: '<%= config.bin %> <%= command.id %> --dir ./data --dry-run'},
    {description: 'Rebuild STORE, requiring the 4 shards the store was created with.', command: '<%= config.bin %> <%= command.id %> --shards 4'},
    {description: 'The report as JSON.', command: '<%= config.bin %> <%= command.id %> --format json'},
  ]

  static override flags = {
    'dry-run': Flags.boolean({summary: 'Examine the shards and report; write nothing.'}),
    shards: Flags.integer({summary: 'The shard count the store has; refuse if the shard directories say otherwise.', min: 1, max: 1024, helpValue: 'N'}),
    compression: Flags.option({options: ['lz', 'zlib', 'none'] as const, summary: 'Compression of new tables in the rebuilt STORE (default zlib).'})(),
  }

  async run(): Promise<void> {
    const {flags} = await this.parseCommand(Repair)
    const report = await repairStore(flags.dir, {
      dryRun: flags['dry-run'],
      ...(flags.shards === undefined ? {} : {shards: flags.shards}),
      ...(flags.compression === undefined ? {} : {compression: flags.compression}),
    })
    const out = this.output
    if (out.format === 'json') return out.json(report)
    if (out.format === 'ndjson') return out.ndjson(report)
    await out.line(headline(report))
    for (const s of report.shards) await out.line(`shard ${s.shard}: tables=${s.tables} walBytes=${s.walBytes} keys=${s.keys}`)
  }
}

function headline(r: RepairReport): string {
  const s = r.store
  const store = `${s.shards} shard${s.shards === 1 ? '' : 's'}, hash ${s.hash}, ${s.compression} compression`
  if (r.action === 'none') return `STORE in ${r.dir} is intact (${store}); nothing to repair`
  const verb = r.dryRun ? 'would rebuild' : 'rebuilt'
  const kept = r.damagedStoreKeptAs === undefined ? '' : `; the damaged one is kept as ${r.damagedStoreKeptAs}`
  return `${verb} STORE in ${r.dir} (${r.reason}): ${store}; defaults for ${r.defaults.join(', ')}${kept}`
}
