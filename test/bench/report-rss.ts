/**
 * Preloaded (`node --import`) into a benchmarked CLI process: as the process
 * exits, its main thread writes the process's peak resident set size in KiB
 * (process.resourceUsage().maxRSS, every thread included) to the file named
 * by RSS_FILE_ENV. Nothing else; the cost is one listener.
 */
import {writeFileSync} from 'node:fs'
import {isMainThread} from 'node:worker_threads'

export const RSS_FILE_ENV = 'STRATA_BENCH_MAXRSS_FILE'

const file = process.env[RSS_FILE_ENV]
if (isMainThread && file !== undefined) {
  process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)))
}
