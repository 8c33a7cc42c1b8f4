/**
 * Bulk I/O of a whole store as NDJSON: `importNdjson` applies lines in
 * atomic chunks (with parsing on a second core for large files), and
 * `exportLive` writes a store's live records as lines it loads back.
 */
export {importNdjson, DEFAULT_CHUNK_RECORDS, CHUNK_BYTES, MAX_LINE_BYTES} from './import-ndjson.js'
export type {ImportOptions, ImportResult} from './import-ndjson.js'
export {ImportError} from './import-error.js'
export {exportLive} from './export-live.js'
export type {ExportOptions, ExportResult} from './export-live.js'
export {parseBatchLine} from './ndjson-line.js'
export type {BatchLine} from './ndjson-line.js'
export {readLines, readLineBatches} from './ndjson-lines.js'
export type {Line} from './ndjson-lines.js'
export type {ParallelInput} from './parallel.js'
