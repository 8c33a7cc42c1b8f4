/**
 * `put --batch`: the library's NDJSON import (src/bulk) with the CLI's words
 * for a load that stopped part-way: the hint names the shell command that
 * resumes it, and the JSON error carries appliedLines and resumeFromLine.
 */
import {importNdjson, ImportError, type ImportOptions, type ImportResult, type ParallelInput} from '../../bulk/index.js'
import type {Store} from '../../engine.js'
import {CliError} from '../oclif/cli-error.js'

/** Options of a `put --batch` load (ImportOptions without those of opening a directory). */
export type BatchOptions = Omit<ImportOptions, 'fs' | 'lockTimeoutMs'>

/** Applies `input` to the open `store` (see importNdjson); an ImportError becomes the CLI's error. */
export async function loadBatch(input: ParallelInput, store: Pick<Store, 'batch'>, options: BatchOptions): Promise<ImportResult> {
  try {
    return await importNdjson(store, input, options)
  } catch (err) {
    if (!(err instanceof ImportError)) throw err
    const {appliedLines, resumeFromLine} = err
    // The same words whether the lines came from a file or stdin (the load is the same either way).
    const hint = appliedLines === 0 ? err.hint : `${err.hint}: tail -n +${resumeFromLine} FILE | strata put --batch -`
    throw new CliError(err.code, err.message, hint, {
      ...(err.file === undefined ? {} : {file: err.file}),
      ...(err.offset === undefined ? {} : {offset: err.offset}),
      appliedLines,
      resumeFromLine,
    })
  }
}
