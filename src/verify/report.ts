/**
 * The verify report: the named invariants (check ids), findings and the
 * stable JSON shape `strata verify --format json` prints.
 *
 * JSON shape (stable; arrays never null; fields may be added):
 *
 *   {
 *     "dir": string,                      the data directory as given
 *     "ok": boolean,                      no error findings (and, with strict, no warnings)
 *     "quick": boolean,                   structure and metadata checksums only (no data blocks)
 *     "strict": boolean,                  warnings count as failures
 *     "maxErrors": number | null,         the --max-errors limit, if any
 *     "stopped": boolean,                 true if verification stopped at maxErrors: later files were not checked
 *     "summary": {"shards", "files", "tables", "wals", "manifests", "entries", "errors", "warnings"},
 *     "checks": [{"id", "description", "errors", "warnings", "skipped"}],   every check id, in CHECKS order
 *     "findings": [{"check", "severity", "file", "offset", "keyRange"?, "message"}]
 *   }
 *
 * A finding's `file` is relative to the data directory, with `/` separators
 * ("STORE", "shard-0002/000014.sst"). `offset` is an absolute byte offset in
 * that file inside the damaged record or block: where a checksum fails, the
 * start of the record or block it covers; where a field is wrong, the
 * field; where a file is missing, the place in the file (CURRENT or
 * manifest) that names it; where a file is shorter than it must be, its
 * size. `keyRange` gives the keys involved, both in one encoding: "utf8"
 * when both are valid UTF-8 without control characters, else "hex".
 */

/** The invariants verify checks. Ids are stable: scripts match on them. */
export const CHECKS = {
  'store.descriptor': 'STORE decodes, its checksum holds, and the shard directories match its shard count',
  'manifest.replay': 'each shard\'s CURRENT names a manifest that decodes with a good checksum and consistent fields; every file it lists exists with the listed size; unlisted files are reported as orphans (warnings)',
  'wal.crc': 'every WAL header and record frame holds its checksum and decodes',
  'wal.torn-tail': 'an incomplete record at the end of a WAL, which the next writer drops (warning)',
  'wal.seq-order': 'WAL sequence numbers increase strictly within and across records, above the manifest\'s last_seq',
  'sst.footer': 'every table\'s magic, footer checksum, format version and meta-block layout',
  'sst.block-crc': 'every block\'s checksum holds and its contents decode (data blocks: not with --quick)',
  'sst.key-order': 'keys increase strictly within and across data blocks and lie inside their index entry\'s range',
  'sst.index': 'the index names data blocks end to end, its last keys are the blocks\' last keys, and restart arrays point at every 16th entry',
  'sst.bloom': 'every key in a table passes the table\'s own bloom filter',
  'sst.properties': 'properties (counts, key and sequence ranges, block count) match the data, and the manifest\'s table metadata matches the properties',
  'shard.placement': 'every key in a shard\'s WAL and tables hashes to that shard over STORE\'s shard count',
  'schema.registry': 'every version file of the value-schema registry holds its checksum and fields, and each schema has versions 1 to N under one id',
  'schema.records': 'every live record stamped with a schema names a registered version and its value validates against it (not with --quick)',
} as const

/** A check id. */
export type CheckId = keyof typeof CHECKS

/** All check ids, in report order. */
export const CHECK_IDS = Object.keys(CHECKS) as CheckId[]

/** How bad a finding is: errors fail verify (exit 3), warnings only with --strict. */
export type Severity = 'error' | 'warning'

/** The keys a finding concerns. */
export interface KeyRange {
  readonly first: string
  readonly last: string
  readonly encoding: 'utf8' | 'hex'
}

/** One violated invariant. */
export interface VerifyFinding {
  readonly check: CheckId
  readonly severity: Severity
  /** Path relative to the data directory, `/`-separated. */
  readonly file: string
  /** Absolute byte offset in `file`, inside the damaged record or block. */
  readonly offset: number
  readonly keyRange?: KeyRange
  readonly message: string
}

/** Per-check totals. */
export interface CheckSummary {
  readonly id: CheckId
  readonly description: string
  readonly errors: number
  readonly warnings: number
  /** True when the check did not run on every file it applies to (quick mode, or stopped at maxErrors). */
  readonly skipped: boolean
}

/** What was examined and found. */
export interface VerifySummary {
  readonly shards: number
  /** Files examined: STORE, CURRENTs, manifests, WALs and tables. */
  readonly files: number
  readonly tables: number
  readonly wals: number
  readonly manifests: number
  /** Entries decoded (WAL entries, and table entries unless quick). */
  readonly entries: number
  readonly errors: number
  readonly warnings: number
}

/** The result of `verifyStore`; see the module comment for its JSON shape. */
export interface VerifyReport {
  readonly dir: string
  readonly ok: boolean
  readonly quick: boolean
  readonly strict: boolean
  readonly maxErrors: number | null
  readonly stopped: boolean
  readonly summary: VerifySummary
  readonly checks: CheckSummary[]
  readonly findings: VerifyFinding[]
}
