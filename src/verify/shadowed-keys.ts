/**
 * shard.placement across a shard-rebalance. A rebalance that grows a store
 * keeps the table files of the shards it keeps (hard links) and shadows the
 * keys that moved out of them with tombstones above every older version
 * (src/rebalance/build-target.ts); compaction drops both later. Until then a
 * kept shard's tables hold keys that hash to another shard, legitimately.
 *
 * So in a store whose shard generation is above 0, a key found in the wrong
 * shard is an error only when its newest version in that shard is live (a
 * put, not expired): a reader of that shard would never see it otherwise,
 * since reads route by the live shard count. Every version of such a key is
 * collected here, per shard, and judged once the shard's files are read.
 *
 * @internal
 */
import {shardOf} from '../util/hash.js'
import {Parsers, type StrataEntry} from '../kaitai/index.js'
import type {VerifyContext} from './context.js'
import {reporter} from './context.js'
import {keyRange} from './key-range.js'

/** One version of a key seen in a file. */
export interface SeenVersion {
  readonly seq: number
  /** A put that has not expired at the check's instant. */
  readonly live: boolean
}

interface Newest extends SeenVersion {
  readonly key: Uint8Array
  readonly file: string
  readonly at: number
}

/** The misplaced keys of one shard, newest version each. */
export class ShadowedKeys {
  private readonly newest = new Map<string, Newest>()

  constructor(
    readonly shard: number,
    readonly shards: number,
  ) {}

  /** Records a version of a misplaced key found in `file` at offset `at`. */
  note(key: Uint8Array, v: SeenVersion, file: string, at: number): void {
    const id = Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1')
    const was = this.newest.get(id)
    if (was === undefined || v.seq > was.seq) this.newest.set(id, {key, seq: v.seq, live: v.live, file, at})
  }

  /** Reports, per file, the misplaced keys whose newest version is live; returns how many there were. */
  report(ctx: VerifyContext): number {
    const perFile = new Map<string, Newest[]>()
    for (const n of this.newest.values()) {
      if (!n.live) continue
      const list = perFile.get(n.file) ?? []
      list.push(n)
      perFile.set(n.file, list)
    }
    let total = 0
    for (const [file, list] of perFile) {
      total += list.length
      const first = list.reduce((a, b) => (b.at < a.at ? b : a))
      const one = list.length === 1
      reporter(ctx, file, undefined, 'shard.placement').error('shard.placement', first.at,
        `${list.length} live key${one ? '' : 's'} in shard ${this.shard} hash${one ? 'es' : ''} to another shard over ${this.shards} shards (the first to shard ${shardOf(first.key, this.shards)}) and no newer tombstone in the shard shadows ${one ? 'it' : 'them'}`,
        keyRange(first.key, list.at(-1)!.key))
    }
    return total
  }
}

/** Whether a decoded entry is a put not expired at `now`. */
export function isLiveEntry(e: StrataEntry, now: number): boolean {
  return e.kind === Parsers.StrataEntry.RecordKind.PUT && (e.expiresAt === undefined || e.expiresAt > now)
}
