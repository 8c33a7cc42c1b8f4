/**
 * migrate-schema as a library: rewrite a schema's records to a version,
 * resumably, with a proof (run.ts).
 */
export {migrateSchema} from './run.js'
export type {MigrateOptions, MigrateReport, MigrateProgress, MigrateFailure, MigrateSample, MigrateShardCounts} from './report.js'
