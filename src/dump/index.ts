/**
 * `strata dump` and `strata explain`: the views of files and keys the two
 * commands print. Commands import from here only.
 */
export {runDump} from './run.js'
export type {DumpOptions, DumpView} from './run.js'
export {printExplanation, explanationJson, stateReason} from './explain.js'
export {decodedLiveRecords} from './api.js'
export type {DecodedRecordsOptions, DumpRecord} from './api.js'
