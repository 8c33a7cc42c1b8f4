/**
 * What passes between the runner and a worker: the workload spec, its
 * result, the result-line prefixes, and the check failure type.
 */
import type {EngineName, StrataConfig} from './engines.js'
import type {WorkloadName} from './metrics.js'

/** What the runner tells a worker to do. */
export interface WorkloadSpec {
  readonly workload: WorkloadName
  readonly engine: EngineName
  /** The preloaded store (read workloads), or a fresh scratch directory (load, durable_put, cli_put_batch). */
  readonly dir: string
  readonly keys: number
  readonly valueBytes: number
  /** Operations for read and YCSB workloads; samples for cli_get. */
  readonly ops: number
  /** durable_put: how long to write. */
  readonly durationMs: number
  readonly seed: number
  /** ycsb_a: the epoch its updates write. */
  readonly epoch: number
  /** Highest epoch any value in the store may carry. */
  readonly maxEpoch: number
  readonly strata: StrataConfig
  /** Repository root (bin/run.js). */
  readonly root: string
  /** cli_put_batch: the NDJSON file. */
  readonly ndjson?: string
  /** Write a CPU profile of the timed region to this file. */
  readonly profile?: string
  /** Extra node options for the CLI processes that cli_* spawn (e.g. --cpu-prof). */
  readonly cliNodeArgs?: readonly string[]
}

/** Metric id → value, plus details for the results file. */
export interface WorkloadResult {
  readonly metrics: Record<string, number>
  readonly extra: Record<string, unknown>
}

/** Prefix of a worker's result line on stdout. */
export const RESULT_PREFIX = 'BENCH-RESULT '
/** Prefix of a worker's error line on stdout. */
export const ERROR_PREFIX = 'BENCH-ERROR '

/** A read returned something other than what was written. */
export class BenchCheckError extends Error {
  override readonly name = 'BenchCheckError'
}

/** Counts wrong reads in a timed loop and reports the first after it. */
export class Checker {
  bad = 0
  first = ''
  fail(what: string): void {
    if (this.bad++ === 0) this.first = what
  }
  done(): void {
    if (this.bad > 0) throw new BenchCheckError(`${this.bad} wrong read(s); first: ${this.first}`)
  }
}

/** Operations per second. */
export const perSec = (count: number, ms: number): number => (count * 1000) / ms
