/**
 * shard.placement for the keys of one file: every key must hash to the
 * shard whose directory holds the file (jump hash of FNV-1a 64 over STORE's
 * shard count, util/hash.ts). Offenders are tallied into one finding per
 * file, so a file of misplaced keys does not flood the report.
 *
 * @internal
 */
import {shardOf} from '../util/hash.js'
import type {FileReporter} from './findings.js'
import {keyRange} from './key-range.js'

export class PlacementTally {
  private count = 0
  private firstAt = 0
  private first: Uint8Array | undefined
  private last: Uint8Array | undefined
  private firstShard = 0

  /** `shards` undefined: STORE cannot be trusted, nothing is checked. */
  constructor(
    private readonly shard: number,
    private readonly shards: number | undefined,
  ) {}

  /** Checks one key found at file offset `at`. */
  add(key: Uint8Array, at: number): void {
    if (this.shards === undefined) return
    const owner = shardOf(key, this.shards)
    if (owner === this.shard) return
    if (this.count === 0) {
      this.first = key
      this.firstAt = at
      this.firstShard = owner
    }
    this.last = key
    this.count++
  }

  /** Reports the offenders, if any, as one error at the first one. */
  report(r: FileReporter): void {
    if (this.count === 0) return
    const one = this.count === 1
    r.error('shard.placement', this.firstAt,
      `${this.count} key${one ? '' : 's'} in shard ${this.shard} hash${one ? 'es' : ''} to another shard over ${this.shards} shards (the first to shard ${this.firstShard})`,
      keyRange(this.first!, this.last!))
  }
}
