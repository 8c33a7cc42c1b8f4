import {digestStore, type StoreDigest} from '../src/engine.js'
import {Flags, StrataCommand, decodeInput, keyEncodingFlag, parseInstant} from '../src/cli/index.js'

/**
 * JSON output: the engine's StoreDigest, {"digest": "<64 hex>", "records": N, "at": ms, "version": 1,
 * "shardCount": N, "shards": [{"shard", "digest", "records"}...]}. NDJSON: the same document on one line.
 */
export default class Digest extends StrataCommand {
  static override summary = 'Print an order-independent digest of the store\'s live data.'
  static override description = `Hashes every live record (not deleted, not expired) - its key, value, expiry, JSON flag and schema reference - with SHA-256 and sums the hashes modulo 2^256, per shard and in total. Nothing about how the data is stored enters it (sequence numbers, shards, files, compaction, value codecs), so two stores holding the same live data have the same digest whatever their shard count or history, and the shard digests sum to the total. The exact definition, enough to recompute it elsewhere, is in formats/README.md ("Store digest").

Expiry is judged at one instant for the whole run: --at, default the time the command starts. Give the same --at to compare digests taken at different times: a key that expires in between then counts the same in both. --at takes ms since the epoch or an ISO 8601 date or date-time with a zone.

--shard, --from/--to ([from, to): from included, to excluded) and --prefix select the records digested. An empty selection is not an error: its digest is 64 zeros.

Reads never take the writer lock and never change the store; each shard is read as one consistent view while writers continue. Exit codes: 0 ok, 2 bad flags or not a store, 3 damaged data, 5 I/O error.`

  static override examples = [
    {description: 'Digest the store in ./data.', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'As JSON with expiry judged at a fixed instant: run it on another store, or later, and compare.', command: '<%= config.bin %> <%= command.id %> --at 2026-01-01T00:00:00Z --format json'},
    {description: 'Digest shard 0 only.', command: '<%= config.bin %> <%= command.id %> --shard 0'},
    {description: 'Digest the keys under a prefix, expiry judged at an instant given in ms since the epoch.', command: '<%= config.bin %> <%= command.id %> --prefix user: --at 1767225600000'},
  ]

  static override flags = {
    shard: Flags.integer({summary: 'Only this shard (0-based).', min: 0, helpValue: 'N'}),
    from: Flags.string({summary: 'First key of the range (included), in --key-encoding.', helpValue: 'KEY'}),
    to: Flags.string({summary: 'End of the range (excluded), in --key-encoding.', helpValue: 'KEY'}),
    prefix: Flags.string({summary: 'Only keys starting with this, in --key-encoding.', helpValue: 'PREFIX'}),
    at: Flags.string({summary: 'Judge expiry at this instant: ms since the epoch or ISO 8601 with a zone. Default: now.', helpValue: 'TIME'}),
    'key-encoding': keyEncodingFlag,
  }

  async run(): Promise<void> {
    const {flags} = await this.parseCommand(Digest)
    const enc = flags['key-encoding']
    const at = flags.at === undefined ? Date.now() : parseInstant(flags.at, '--at')
    const out = this.output
    const started = Date.now()
    const result = await digestStore(flags.dir, {
      at,
      ...(flags.shard === undefined ? {} : {shard: flags.shard}),
      ...(flags.from === undefined ? {} : {from: decodeInput(flags.from, enc, '--from')}),
      ...(flags.to === undefined ? {} : {to: decodeInput(flags.to, enc, '--to')}),
      ...(flags.prefix === undefined ? {} : {prefix: decodeInput(flags.prefix, enc, '--prefix')}),
      onProgress: (done, total) => {
        if (process.stderr.isTTY && Date.now() - started > 1000) out.progress(`digest: ${done}/${total} shards`)
      },
    })
    await this.print(result)
  }

  private async print(d: StoreDigest): Promise<void> {
    const out = this.output
    const doc = {digest: d.digest, records: d.records, at: d.at, version: d.version, shardCount: d.shardCount, shards: [...d.shards]}
    if (out.format === 'json') return out.json(doc)
    if (out.format === 'ndjson') return out.ndjson(doc)
    const summary = `${plural(d.records, 'live record')} in ${plural(d.shards.length, 'shard')} of ${d.shardCount}, expiry judged at ${new Date(d.at).toISOString()} (${d.at})`
    if (out.format === 'table') {
      await out.line(summary)
      await out.table(['SHARD', 'DIGEST', 'RECORDS'], [
        ...d.shards.map((s) => [String(s.shard), s.digest, String(s.records)]),
        ['total', d.digest, String(d.records)],
      ], {align: ['right', 'left', 'right']})
      return
    }
    await out.line(`digest ${d.digest}`)
    await out.line(summary)
    for (const s of d.shards) await out.line(`shard ${s.shard}: ${s.digest} ${plural(s.records, 'record')}`)
  }
}

function plural(n: number, one: string): string {
  return `${n} ${one}${n === 1 ? '' : 's'}`
}
