/**
 * The proof of a finished migration: the digest of the stored records equals
 * the digest of the lazily-upgraded view taken before the first chunk, every
 * covered record is at the target version but those the run skipped, and
 * every covered record at the target validates against it. One pass: the
 * checks ride on the digest's view of each record.
 */
import type {Store} from '../api.js'
import {logicalValue} from '../record/value.js'
import {digestStore} from '../digest/digest-store.js'
import type {Converter, KeySelection} from './select.js'
import type {MigrationJournal} from './journal.js'
import type {MigrateReport} from './report.js'

/** The proof's part of the report. */
export async function prove(store: Store, converter: Converter, keys: KeySelection, journal: MigrationJournal): Promise<Pick<MigrateReport, 'digestAfter' | 'belowVersion' | 'invalid' | 'verified'>> {
  const target = converter.target
  const skipped = new Set(journal.failures.map((f) => f.key))
  let belowVersion = 0
  let strayBelow = 0
  let invalid = 0
  const validator = converter.validatorOf()
  const after = await digestStore(store, {
    at: journal.at,
    view: (e) => {
      if (!converter.covers(e, keys)) return e
      if (e.schema!.version < target.version) {
        belowVersion++
        if (!skipped.has(e.key.toString('hex'))) strayBelow++
      } else if (e.schema!.version === target.version) {
        let value: unknown
        try {
          value = JSON.parse(logicalValue(e).toString('utf8'))
        } catch {
          invalid++
          return e
        }
        if (validator.validate(target, value) !== undefined) invalid++
      }
      return e
    },
  })
  return {digestAfter: after.digest, belowVersion, invalid, verified: after.digest === journal.digestBefore && strayBelow === 0 && invalid === 0}
}
