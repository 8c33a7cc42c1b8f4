/**
 * `put --batch`: applies NDJSON lines (see batch-line.ts) to a store in chunks.
 *
 * What is atomic: lines are grouped into chunks of `chunkRecords` records (or
 * fewer, once a chunk holds CHUNK_BYTES of keys and values). A chunk is fully
 * parsed and validated before any of it is written, then given to
 * `store.batch()`, which writes each shard's part of it as one WAL record: after
 * a crash a shard has all of its part of a chunk or none. Parts in different
 * shards are not atomic together. On a bad line, or a failed write (a full
 * disk), the loader stops: the chunks before are applied (and durable once
 * the store is closed), and the error says so: lines 1..appliedLines applied,
 * resume from line resumeFromLine (both also fields of the JSON error).
 *
 * Memory: lines are read incrementally; at most one chunk is held at a time,
 * or, with `parallel`, the one being applied plus up to 16 MiB of chunks
 * parsed ahead by the worker thread (OUTPUT_WINDOW_BYTES, at least one chunk).
 *
 * Parallel: with `parallel`, a worker thread (batch-parallel.ts) reads and
 * parses the lines while this thread applies the chunks before them. Chunks
 * are cut by the same code either way, so results, errors and what is written
 * are the same; only the work is spread over two cores.
 */
import {createReadStream} from 'node:fs'
import type {Readable} from 'node:stream'
import type {Store} from '../engine.js'
import {BadLine, chunksOf, MAX_LINE_BYTES, type Chunk, type ChunkOptions} from './batch-chunks.js'
import type {ParallelInput} from './batch-parallel.js'
import {CliError} from './oclif/cli-error.js'
import {reportError} from './oclif/error-report.js'
import type {Encoding} from './input/encoding.js'
import {readLineBatches} from './input/ndjson-lines.js'

export {CHUNK_BYTES, MAX_LINE_BYTES} from './batch-chunks.js'

/** What a batch load did. JSON shape of `put --batch` output (stable). */
export interface BatchResult {
  /** Put operations written. */
  readonly puts: number
  /** Delete operations written (including expired records). */
  readonly deletes: number
  /** Records whose expiresAt had passed, written as deletes. */
  readonly expired: number
  /** Input lines read (blank lines included). */
  readonly lines: number
  /** Chunks given to store.batch(). */
  readonly chunks: number
}

/** Options for `loadBatch`. */
export interface BatchOptions {
  /** Records per chunk (1 or more). */
  readonly chunkRecords: number
  /** Default encodings for lines that name none. */
  readonly encodings: {readonly key: Encoding; readonly value: Encoding}
  /** Called after each chunk is applied. */
  readonly onChunk?: (result: BatchResult) => void
  readonly now?: () => number
  /** Parse in a worker thread (see the file comment). Not with `now`, which a worker cannot call. */
  readonly parallel?: boolean
}

/**
 * batch-parallel.ts, loaded only when a load uses it: every command imports
 * this module through the CLI index, and worker_threads alone costs about
 * 1.7 ms of start-up.
 */
async function* parallelSource(input: ParallelInput, options: Omit<ChunkOptions, 'now'>): AsyncGenerator<Chunk> {
  const {parallelChunks} = await import('./batch-parallel.js')
  yield* parallelChunks(input, options)
}

/**
 * Reads `input` (a stream, or `{file}`: a file to read, by the worker thread
 * when `parallel`) and applies it to `store` chunk by chunk; see the file
 * comment for what is atomic.
 */
export async function loadBatch(input: ParallelInput, store: Pick<Store, 'batch'>, options: BatchOptions): Promise<BatchResult> {
  if (options.parallel === true && options.now !== undefined) throw new TypeError('loadBatch: parallel cannot be combined with now')
  let puts = 0
  let deletes = 0
  let expired = 0
  let lines = 0
  let chunks = 0
  let appliedLines = 0

  const result = (): BatchResult => ({puts, deletes, expired, lines, chunks})
  const source = options.parallel === true
    ? parallelSource(input, {chunkRecords: options.chunkRecords, encodings: options.encodings})
    : chunksOf(readLineBatches('file' in input ? createReadStream(input.file) : input, MAX_LINE_BYTES), options)
  try {
    for await (const chunk of source) {
      lines = chunk.lines
      if (chunk.ops.length === 0) continue
      await store.batch(chunk.ops)
      chunks++
      puts += chunk.puts
      deletes += chunk.deletes
      expired += chunk.expired
      appliedLines = lines
      options.onChunk?.(result())
    }
  } catch (err) {
    // Chunks are applied in input order, so what is applied is always lines
    // 1..appliedLines (durable once the store is closed, which syncs even
    // after a failed write); the load resumes at the stopped chunk's first line.
    const bad = err instanceof BadLine ? err : undefined
    const report = reportError(bad?.error ?? err)
    const resumeFromLine = bad?.first ?? appliedLines + 1
    const counts = `${chunks} chunk${chunks === 1 ? '' : 's'}: ${puts} puts, ${deletes} deletes`
    // The same words whether the lines came from a file or stdin (the load is the same either way).
    const again = `load again from line ${resumeFromLine}: tail -n +${resumeFromLine} FILE | strata put --batch -`
    let hint: string
    if (bad !== undefined) {
      hint = appliedLines === 0
        ? 'nothing was written. Fix the line and run the load again'
        : `lines 1-${appliedLines} were applied and are durable (${counts}); nothing from line ${resumeFromLine} on was written. Fix the line and ${again}`
    } else {
      // A failed write may leave a part of its chunk written (shards are written one by one):
      // loading those lines again is safe, as a put or delete applied twice has the same result.
      hint = appliedLines === 0
        ? 'no line was applied in full (a part of the first chunk may be). Fix the cause and run the load again; loading a line twice is safe'
        : `lines 1-${appliedLines} were applied and are durable (${counts}); from line ${resumeFromLine} on at most a part of one chunk was. Fix the cause and ${again}`
    }
    throw new CliError(report.code, report.message, hint, {
      ...(report.file === undefined ? {} : {file: report.file}),
      ...(report.offset === undefined ? {} : {offset: report.offset}),
      appliedLines,
      resumeFromLine,
    })
  }
  return result()
}
