/**
 * `strata verify`: checks a data directory's files against named invariants
 * through the Kaitai-generated parsers. The public names are re-exported by
 * src/index.ts.
 */
export {verifyStore} from './verify-store.js'
export type {VerifyOptions} from './verify-store.js'
export {CHECKS, CHECK_IDS} from './report.js'
export type {CheckId, CheckSummary, KeyRange, Severity, VerifyFinding, VerifyReport, VerifySummary} from './report.js'
