/**
 * The background worker thread (see background.ts for the main thread's
 * side): runs one job at a time (bg-jobs.ts) and answers each with the
 * metadata of the tables it wrote, or with its error as plain data.
 *
 * Test hook: with STRATA_TEST_BG_HOLD set to a file path, a job whose tables
 * are built and synced may be held (see `holds`): it appends
 * "KIND SHARD TABLES…" to that file and is never answered, so the shard
 * never installs it. A crash test uses it to
 * kill a writer at exactly that point; nothing else sets it.
 */
import {appendFileSync} from 'node:fs'
import {parentPort} from 'node:worker_threads'
import {StrataError} from '../errors.js'
import {tableFileName} from '../layout/names.js'
import {runJob, type BackgroundJob} from './bg-jobs.js'

/** Main → worker. */
export interface JobRequest {
  readonly id: number
  readonly job: BackgroundJob
}

/** Worker → main. */
export type JobAnswer =
  | {readonly id: number; readonly ok: true; readonly tables: ReturnType<typeof runJob>}
  | {readonly id: number; readonly ok: false; readonly error: {readonly message: string; readonly code?: string; readonly strata: boolean; readonly file?: string; readonly offset?: number}}

const port = parentPort!
const hold = process.env.STRATA_TEST_BG_HOLD
/** Set once a compaction is held: from then on flushes are held too (see holds). */
let holdingCompaction = false

port.on('message', ({id, job}: JobRequest) => {
  let answer: JobAnswer
  try {
    const tables = runJob(job)
    if (holds(job)) {
      appendFileSync(hold!, `${job.kind} ${job.shard} ${tables.map((t) => tableFileName(t.fileNumber)).join(' ')}\n`)
      return
    }
    answer = {id, ok: true, tables}
  } catch (err) {
    const e = err as Error & {code?: string; file?: string; offset?: number}
    const strata = err instanceof StrataError
    answer = {id, ok: false, error: {message: e.message, strata, ...(e.code === undefined ? {} : {code: e.code}), ...(strata && e.file !== undefined ? {file: e.file} : {}), ...(strata && e.offset !== undefined ? {offset: e.offset} : {})}}
  }
  port.postMessage(answer)
})

/**
 * The test hook holds the first compaction, and every flush after it (other
 * compactions go through): a shard's first flushes go through so that a
 * compaction becomes due, and the kill then finds a compaction in one shard
 * and a flush in another built but not installed.
 */
function holds(job: BackgroundJob): boolean {
  if (hold === undefined) return false
  if (job.kind === 'compact') {
    if (holdingCompaction) return false
    holdingCompaction = true
    return true
  }
  return holdingCompaction
}
