/**
 * The command-line layer: everything the commands in commands/ use besides the
 * engine's public surface (src/index.ts).
 */
export {StrataCommand, sharedFlags, jsonAliasFlag} from './base-command.js'
export {cacheSizeFlag, keyEncodingFlag, valueEncodingFlag, lockTimeoutFlag, progressFlag} from './common-flags.js'
export {Progress} from './progress.js'
export type {FlagRule} from './flag-rules.js'
export type {ProgressTiming} from './progress.js'
export {EXIT_CODES, Exit, CliErrorCode, exitCodeFor} from './exit-codes.js'
export type {ReportedCode} from './exit-codes.js'
export {CliError} from './cli-error.js'
export {reportError, usageError, oneLine, errorLine} from './error-report.js'
export {runGet} from './get-run.js'
export type {GetRequest} from './get-run.js'
export type {ErrorReport} from './error-report.js'
export {decodeArgument} from './arguments.js'
export {ENCODINGS, decodeInput, tryDecodeInput, formatText, formatJson, escapeText, parseEncoding} from './encoding.js'
export type {Encoding, JsonBytes} from './encoding.js'
export {parseDuration, formatDuration, MAX_DURATION_MS} from './duration.js'
export {parseInstant} from './instant.js'
export {FORMATS, Output, compressionText, isJsonFormat, MAX_TABLE_CELL} from './output.js'
export type {Format} from './output.js'
export {colorEnabled, chalkFor} from './color.js'
export {recordToJson, recordToText, recordTable, ttlText, keyForMessage, keysForMessage} from './records.js'
export type {RecordJson, RecordEncodings} from './records.js'
export {checkKey, checkValueSize, formatBytes} from './limits.js'
export {readValue} from './value-source.js'
export {openInputFile} from './input-file.js'
export type {InputFile} from './input-file.js'
export type {ValueSource} from './value-source.js'
export {assertJsonText} from './json-value.js'
export {RawJson, stringifyJson} from './json-raw.js'
export {readLines, readLineBatches} from './ndjson-lines.js'
export type {Line} from './ndjson-lines.js'
export {parseBatchLine} from './batch-line.js'
export type {BatchLine} from './batch-line.js'
export {loadBatch, CHUNK_BYTES, MAX_LINE_BYTES} from './batch-loader.js'
export type {BatchResult, BatchOptions} from './batch-loader.js'
/** oclif's flag and argument builders, re-exported so commands import from here only. */
export {Args, Flags} from '@oclif/core'
export {parseSize} from './size.js'
export {decodeRange} from './key-range.js'
export type {KeyRange} from './key-range.js'
export {printExplanation, explanationJson, stateReason} from './views/explain.js'
export type {DumpOptions, DumpView} from './views/dump/run.js'

/**
 * `strata dump`'s views. Loaded on first use: they pull in the Kaitai parsers,
 * which no other command needs at start-up.
 */
export async function runDump(...args: Parameters<typeof import('./views/dump/run.js').runDump>): Promise<void> {
  const {runDump: run} = await import('./views/dump/run.js')
  return run(...args)
}
