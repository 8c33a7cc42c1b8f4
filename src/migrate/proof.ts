/**
 * The proof of a finished migration, by reading the store again after its
 * last chunk: the digest of the stored records (every live record, read
 * through the store's read path, hashed as stored) must equal the digest of
 * the upgraded view that the run's single pass summed (pass.ts), and every
 * covered record must be at the target version but those the run skipped.
 *
 * The store is read shard by shard (`proveShard`), so the two threads of a
 * run can each read a share of the shards; the parts are then combined
 * (`combineProof`). The digest of the stored records is the sum of the
 * shards' sums, as digest/digest-store.ts sums them.
 *
 * Validity is established without parsing the records again: the pass
 * validated every covered record it read at the target (converted ones
 * before writing them, and those already there) and counted the failures in
 * the journal. Equal digests mean the stored records are the very records
 * the pass hashed, so those validations are of what is stored.
 */
import type {Store} from '../api.js'
import {sumShard} from '../digest/digest-store.js'
import {keySelection} from '../store/live-entries.js'
import {RecordHasher} from '../digest/format.js'
import {Sum256} from '../digest/sum256.js'
import type {Converter, KeySelection} from './select.js'
import {journalTotals, type MigrationJournal} from './journal.js'
import type {MigrateReport} from './report.js'

/** The proof reads every record (the digests are of the whole store). */
const EVERY_KEY = keySelection({})

/** One shard's part of the proof. */
export interface ShardProof {
  readonly shard: number
  /** The sum of its live records' hashes, 64 hex digits. */
  readonly sum: string
  /** Covered records read below the target. */
  readonly belowVersion: number
  /** Of those, the ones the run did not skip (there should be none). */
  readonly strayBelow: number
}

/** The keys (hex) of the records the run left at their version (--on-error skip). */
export function skippedKeys(journal: MigrationJournal): Set<string> {
  return new Set(journalTotals(journal).failures.map((f) => f.key))
}

/** Reads shard `i` of `store` again: its part of the proof. `at`: the run's expiry instant. */
export function proveShard(store: Store, i: number, converter: Converter, keys: KeySelection, at: number, skipped: ReadonlySet<string>, hasher = new RecordHasher()): ShardProof {
  const target = converter.target.version
  let belowVersion = 0
  let strayBelow = 0
  const {sum} = sumShard(store, i, EVERY_KEY, at, hasher, (e) => {
    if (converter.covers(e, keys) && e.schema!.version < target) {
      belowVersion++
      if (!skipped.has(e.key.toString('hex'))) strayBelow++
    }
    return e
  })
  return {shard: i, sum: sum.hex(), belowVersion, strayBelow}
}

/** The proof's part of the report from every shard's part; `digestBefore` is the pass's sum. */
export function combineProof(parts: readonly ShardProof[], journal: MigrationJournal, digestBefore: string): Pick<MigrateReport, 'digestAfter' | 'belowVersion' | 'invalid' | 'verified'> {
  const after = new Sum256()
  let belowVersion = 0
  let strayBelow = 0
  for (const p of parts) {
    after.addHex(p.sum)
    belowVersion += p.belowVersion
    strayBelow += p.strayBelow
  }
  const digestAfter = after.hex()
  const invalid = journalTotals(journal).invalid
  const complete = parts.length === journal.shards.length && new Set(parts.map((p) => p.shard)).size === parts.length
  return {digestAfter, belowVersion, invalid, verified: complete && digestAfter === digestBefore && strayBelow === 0 && invalid === 0}
}
