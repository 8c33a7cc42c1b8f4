/**
 * shard.placement for the keys of one file: every key must hash to the
 * shard whose directory holds the file (jump hash of FNV-1a 64 over STORE's
 * shard count, util/hash.ts). Offenders are tallied into one finding per
 * file, so a file of misplaced keys does not flood the report. In a store a
 * shard-rebalance made, misplaced keys go to the shard's ShadowedKeys
 * instead, judged once the whole shard is read (shadowed-keys.ts).
 *
 * @internal
 */
import {shardOf} from '../util/hash.js'
import type {FileReporter} from './findings.js'
import {keyRange} from './key-range.js'
import type {SeenVersion, ShadowedKeys} from './shadowed-keys.js'

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
    private readonly shadow?: {readonly keys: ShadowedKeys; readonly file: string},
  ) {}

  /**
   * Checks one key found at file offset `at`; `version` is its sequence number
   * and liveness when the entry was decoded (not for keys the metadata names).
   */
  add(key: Uint8Array, at: number, version?: SeenVersion): void {
    if (this.shards === undefined) return
    const owner = shardOf(key, this.shards)
    if (owner === this.shard) return
    if (this.shadow !== undefined) {
      // A key the metadata names is also an entry of the table, judged there.
      if (version !== undefined) this.shadow.keys.note(Buffer.from(key), version, this.shadow.file, at)
      return
    }
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
