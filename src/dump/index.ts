/**
 * Decoding a store's files through the Kaitai format specs, independently of
 * the engine: file sources, WAL and SSTable records, the live records across
 * a store (latest) and every stored version (history), file summaries and
 * block layouts. The views that print them live in the command-line layer.
 */
export {decodedLiveRecords} from './api.js'
export type {DecodedRecordsOptions, DumpRecord} from './api.js'
