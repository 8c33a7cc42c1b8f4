/**
 * What a compaction would write, for `compact --dry-run`, without writing.
 *
 * Counts are exact: the caller counts the entries the real run keeps with
 * the same merge. Sizes are estimated from the input tables' own
 * properties. Each entry is weighed as its key and value bytes plus a fixed
 * per-entry charge (so tombstones, which have no value, still weigh what
 * their entry costs); the inputs' file bytes per unit of weight (their
 * properties block records entries and raw key and value bytes) fold in how
 * their data compressed and their index, filter and footer overhead, and
 * that ratio times the weight of the kept entries is the estimate. It holds as long as the kept entries resemble the inputs on
 * average (sizes, compressibility): test/engine/compaction-estimate.test.ts
 * measures it within 15% of the real result for stores of small and large,
 * compressible and random values, with many overwrites and deletes.
 *
 * When no input table exists (only the memtable holds data), nothing on
 * disk shows how the data compresses: the estimate is then the raw bytes
 * plus a per-entry overhead, as if uncompressed, and says so (`basis`).
 */
import type {LiveTable} from './levels.js'

/** What an output size estimate stands on. */
export type EstimateBasis = 'tables' | 'uncompressed'

/** Bytes an entry takes beyond its key and value, uncompressed: header, sequence, restart point, filter bits. */
const ENTRY_WEIGHT = 12
/** A table's fixed cost beyond its entries (footer, properties, block trailers), when no table shows it. */
const UNCOMPRESSED_TABLE_OVERHEAD = 300

/** Raw (key + value) bytes of live entries and their count: what the output will hold. */
export interface OutputContents {
  readonly entries: number
  readonly rawBytes: number
}

/** The estimated size of the tables `out` will be written as, given the tables read. */
export function estimateOutputBytes(inputs: readonly LiveTable[], out: OutputContents): {bytes: number; basis: EstimateBasis} {
  if (out.entries === 0) return {bytes: 0, basis: 'tables'}
  const weight = (raw: number, entries: number): number => raw + entries * ENTRY_WEIGHT
  if (inputs.length === 0) {
    return {bytes: weight(out.rawBytes, out.entries) + UNCOMPRESSED_TABLE_OVERHEAD, basis: 'uncompressed'}
  }
  let fileBytes = 0
  let inWeight = 0
  for (const t of inputs) {
    const p = t.reader.properties
    fileBytes += t.meta.fileSize
    inWeight += weight(p.rawKeyBytes + p.rawValueBytes, p.entries)
  }
  return {bytes: Math.round(weight(out.rawBytes, out.entries) * (fileBytes / inWeight)), basis: 'tables'}
}

/** How many tables `bytes` of output are cut into, at `targetFileBytes` each (level 0: one). */
export function estimateOutputTables(bytes: number, entries: number, targetFileBytes: number): number {
  if (entries === 0) return 0
  return Math.max(1, Math.ceil(bytes / targetFileBytes))
}
