import {createStore} from '../src/engine.js'
import {Flags, StrataCommand, compressionText} from '../src/cli/index.js'

/** JSON output: {"dir": string, "shards": number, "compression": "lz" | "zlib" | "none"}. */
export default class Init extends StrataCommand {
  static override summary = 'Create a new, empty store.'
  static override description = `Creates the data directory (if needed) with a STORE descriptor and one empty LSM per shard. Keys are spread over the shards by a jump consistent hash of their bytes; the shard count can be changed later with shard-rebalance. Fails with ALREADY_EXISTS (exit 2) if the directory already holds a store.`

  static override examples = [
    {description: 'Create a store with 4 shards in ./data.', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Create a store with 8 shards and uncompressed tables.', command: '<%= config.bin %> <%= command.id %> --dir ./demo --shards 8 --compression none'},
  ]

  static override flags = {
    shards: Flags.integer({summary: 'Number of shards, 1 to 1024.', min: 1, max: 1024, default: 4}),
    compression: Flags.option({options: ['lz', 'zlib', 'none'] as const, summary: 'Compression of SSTable data blocks: lz (fast), zlib (smaller) or none.', default: 'lz' as const})(),
  }

  async run(): Promise<void> {
    const {flags} = await this.parseCommand(Init)
    await createStore(flags.dir, {shards: flags.shards, compression: flags.compression})
    await this.output.document(
      {dir: flags.dir, shards: flags.shards, compression: flags.compression},
      `initialized store in ${flags.dir} (${flags.shards} shard${flags.shards === 1 ? '' : 's'}, ${compressionText(flags.compression)})`,
      [['dir', flags.dir], ['shards', String(flags.shards)], ['compression', flags.compression]],
    )
  }
}
