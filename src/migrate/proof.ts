/**
 * The proof of a finished migration, by reading the store again after its
 * last chunk: the digest of the stored records (every live record, read
 * through the store's read path, hashed as stored) must equal the digest of
 * the upgraded view that the run's single pass summed (pass.ts), and every
 * covered record must be at the target version but those the run skipped.
 *
 * Validity is established without parsing the records again: the pass
 * validated every covered record it read at the target (converted ones
 * before writing them, and those already there) and counted the failures in
 * the journal. Equal digests mean the stored records are the very records
 * the pass hashed, so those validations are of what is stored.
 */
import type {Store} from '../api.js'
import {digestStore} from '../digest/digest-store.js'
import type {Converter, KeySelection} from './select.js'
import {journalTotals, type MigrationJournal} from './journal.js'
import type {MigrateReport} from './report.js'

/** The proof's part of the report; `digestBefore` is the pass's sum. */
export async function prove(store: Store, converter: Converter, keys: KeySelection, journal: MigrationJournal, digestBefore: string): Promise<Pick<MigrateReport, 'digestAfter' | 'belowVersion' | 'invalid' | 'verified'>> {
  const target = converter.target
  const totals = journalTotals(journal)
  const skipped = new Set(totals.failures.map((f) => f.key))
  let belowVersion = 0
  let strayBelow = 0
  const after = await digestStore(store, {
    at: journal.at,
    view: (e) => {
      if (converter.covers(e, keys) && e.schema!.version < target.version) {
        belowVersion++
        if (!skipped.has(e.key.toString('hex'))) strayBelow++
      }
      return e
    },
  })
  const invalid = totals.invalid
  return {digestAfter: after.digest, belowVersion, invalid, verified: after.digest === digestBefore && strayBelow === 0 && invalid === 0}
}
