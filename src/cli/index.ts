/**
 * The command-line layer: everything the commands in commands/ use besides the
 * engine's public surface (src/index.ts).
 */
export {StrataCommand, sharedFlags, jsonAliasFlag} from './oclif/base-command.js'
export {cacheSizeFlag, keyEncodingFlag, valueEncodingFlag, lockTimeoutFlag, progressFlag} from './oclif/common-flags.js'
export {Progress} from './output/progress.js'
export type {FlagRule} from './oclif/flag-rules.js'
export type {ProgressTiming} from './output/progress.js'
export {transferLine} from './output/transfer.js'
export {EXIT_CODES, Exit, CliErrorCode, exitCodeFor} from './oclif/exit-codes.js'
export type {ReportedCode} from './oclif/exit-codes.js'
export {CliError} from './oclif/cli-error.js'
export {reportError, usageError, oneLine, errorLine} from './oclif/error-report.js'
export {runGet} from './fast-get/get-run.js'
export {GET_FLAGS} from './fast-get/get-flags.js'
export type {PlainFlag} from './fast-get/get-flags.js'
export type {GetRequest} from './fast-get/get-run.js'
export type {ErrorReport} from './oclif/error-report.js'
export {decodeArgument} from './input/arguments.js'
export {ENCODINGS, decodeInput, tryDecodeInput, formatText, formatJson, escapeText, parseEncoding} from '../codec/encoding.js'
export type {Encoding, JsonBytes} from '../codec/encoding.js'
export {parseDuration, formatDuration, MAX_DURATION_MS} from '../codec/duration.js'
export {parseInstant} from './input/instant.js'
export {FORMATS, Output, compressionText, isJsonFormat, MAX_TABLE_CELL} from './output/output.js'
export type {Format} from './output/output.js'
export {colorEnabled, chalkFor} from './output/color.js'
export {recordToJson, recordToText, recordTable, keyValueShape, ttlText, keyForMessage, keysForMessage} from './output/records.js'
export {RecordList} from './output/record-list.js'
export type {RecordShape, RecordListOptions} from './output/record-list.js'
export type {RecordJson, RecordEncodings, ShownRecord} from './output/records.js'
export {checkKey, checkValueSize, formatBytes} from '../codec/limits.js'
export {readValue} from './input/value-source.js'
export {openInputFile} from './input/input-file.js'
export type {InputFile} from './input/input-file.js'
export type {ValueSource} from './input/value-source.js'
export {assertJsonText} from '../codec/json-value.js'
export {RawJson, stringifyJson} from '../codec/json-raw.js'
export {readLines, readLineBatches, parseBatchLine, CHUNK_BYTES, MAX_LINE_BYTES} from '../bulk/index.js'
export type {Line, BatchLine, ImportResult as BatchResult} from '../bulk/index.js'
export {loadBatch} from './input/ndjson-load.js'
export type {BatchOptions} from './input/ndjson-load.js'
/** oclif's flag and argument builders, re-exported so commands import from here only. */
export {Args, Flags} from '@oclif/core'
export {parseSize} from './input/size.js'
export {decodeRange} from './input/key-range.js'
export type {KeyRange} from './input/key-range.js'
export {printExplanation, explanationJson, stateReason} from './views/explain.js'
export type {VersionSchema, VersionSchemas} from './views/explain.js'
export {SchemaReads, parseSchemaVersion} from './schema-reads.js'
export type {DumpOptions, DumpView} from './views/dump/run.js'

/**
 * `strata dump`'s views. Loaded on first use: they pull in the Kaitai parsers,
 * which no other command needs at start-up.
 */
export async function runDump(...args: Parameters<typeof import('./views/dump/run.js').runDump>): Promise<void> {
  const {runDump: run} = await import('./views/dump/run.js')
  return run(...args)
}
export {printSchema, printSchemaList} from './views/schema.js'
export {parseSyncMode, syncModeText} from './input/sync-mode.js'
