/**
 * Child process for the readers-during-rebalance test: reads the store at
 * argv[2] in a loop, alternating a whole scan and a digest (each a fresh
 * read-only open, as the CLI does), until the file argv[3] exists. Each
 * result is one line of its log argv[4]: {"kind", "ok", "keys"?, "sum"?,
 * "digest"?, "shards"?, "error"?}. "sum" adds every value's length, so a
 * scan that mixed generations (a key twice, or missing) shows.
 */
import * as fs from 'node:fs'
import {digestStore, open} from '../../src/index.js'

const [dir, stopFile, logPath] = process.argv.slice(2)
const log = fs.openSync(logPath, 'a')
const out = (o: unknown): void => {
  fs.writeSync(log, JSON.stringify(o) + '\n')
}

process.stdout.write('ready\n')
for (let n = 0; !fs.existsSync(stopFile); n++) {
  try {
    if (n % 2 === 0) {
      const s = await open(dir, {readOnly: true})
      let keys = 0
      let sum = 0
      let last = ''
      let ordered = true
      const perShard: number[] = []
      try {
        for (const kv of s.scanSync()) {
          perShard[kv.shard] = (perShard[kv.shard] ?? 0) + 1
          const k = kv.key.toString('latin1')
          if (k <= last) ordered = false
          last = k
          keys++
          sum += kv.value.length
        }
      } finally {
        await s.close()
      }
      out({kind: 'scan', ok: ordered, keys, sum, shards: s.shardCount, perShard})
    } else {
      const d = await digestStore(dir)
      out({kind: 'digest', ok: true, digest: d.digest, keys: d.records, shards: d.shardCount})
    }
  } catch (err) {
    out({kind: n % 2 === 0 ? 'scan' : 'digest', ok: false, error: String((err as Error)?.stack ?? err)})
  }
}
process.exit(0)
