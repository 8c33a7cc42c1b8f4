/**
 * Collects findings and counts while verify runs: per check, per severity,
 * with the --max-errors stop, and a mark/rollback so a shard re-checked
 * after a concurrent writer swapped its files is not counted twice.
 *
 * @internal
 */
import {CHECK_IDS, type CheckId, type KeyRange, type Severity, type VerifyFinding} from './report.js'

/** Thrown when the error limit is reached; verifyStore catches it and reports `stopped`. */
export class StopVerify extends Error {
  constructor() {
    super('verify stopped at the error limit')
    this.name = 'StopVerify'
  }
}

/** What was examined, for the summary. */
export interface Counts {
  files: number
  tables: number
  wals: number
  manifests: number
  entries: number
}

/** A point to roll back to. */
export interface Mark {
  readonly findings: number
  readonly counts: Counts
}

export class FindingSink {
  readonly findings: VerifyFinding[] = []
  readonly counts: Counts = {files: 0, tables: 0, wals: 0, manifests: 0, entries: 0}
  /** Checks that did not run on every file they apply to. */
  readonly skipped = new Set<CheckId>()
  private errorCount = 0

  /** REQUIRES: maxErrors is undefined or a positive integer. */
  constructor(private readonly maxErrors: number | undefined) {}

  get errors(): number {
    return this.errorCount
  }

  get warnings(): number {
    return this.findings.length - this.errorCount
  }

  /** Records a finding; throws StopVerify once the error limit is reached. */
  add(f: VerifyFinding): void {
    this.findings.push(f)
    if (f.severity !== 'error') return
    this.errorCount++
    if (this.maxErrors !== undefined && this.errorCount >= this.maxErrors) throw new StopVerify()
  }

  mark(): Mark {
    return {findings: this.findings.length, counts: {...this.counts}}
  }

  /** Forgets every finding and count since `m`. */
  rollback(m: Mark): void {
    for (const f of this.findings.splice(m.findings)) if (f.severity === 'error') this.errorCount--
    Object.assign(this.counts, m.counts)
  }

  /** Errors and warnings per check, every check listed. */
  perCheck(): Map<CheckId, {errors: number; warnings: number}> {
    const out = new Map(CHECK_IDS.map((id) => [id, {errors: 0, warnings: 0}]))
    for (const f of this.findings) {
      const c = out.get(f.check)!
      if (f.severity === 'error') c.errors++
      else c.warnings++
    }
    return out
  }
}

/**
 * Reports findings against one file. `running` is the check in progress, so
 * an unexpected exception is reported against it.
 */
export class FileReporter {
  running: CheckId

  /**
   * @param file path relative to the data directory, `/`-separated
   * @param size the file's size, to keep offsets inside it (undefined: not read)
   */
  constructor(
    private readonly sink: FindingSink,
    readonly file: string,
    readonly size: number | undefined,
    running: CheckId,
  ) {
    this.running = running
  }

  error(check: CheckId, offset: number, message: string, keys?: KeyRange): void {
    this.add('error', check, offset, message, keys)
  }

  warning(check: CheckId, offset: number, message: string, keys?: KeyRange): void {
    this.add('warning', check, offset, message, keys)
  }

  /** Runs `fn` as check `id` (for the attribution of unexpected exceptions). */
  as<T>(id: CheckId, fn: () => T): T {
    const before = this.running
    this.running = id
    try {
      return fn()
    } finally {
      this.running = before
    }
  }

  private add(severity: Severity, check: CheckId, offset: number, message: string, keys?: KeyRange): void {
    let at = Number.isFinite(offset) ? Math.max(0, Math.floor(offset)) : 0
    if (this.size !== undefined) at = Math.min(at, this.size)
    this.sink.add({check, severity, file: this.file, offset: at, ...(keys === undefined ? {} : {keyRange: keys}), message})
  }
}
