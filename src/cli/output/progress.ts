/**
 * Progress lines on stderr, with one rule for every command that has them
 * (verify, compact, bench):
 *
 * - shown when stderr is a terminal, or when --progress is given;
 *   --no-progress turns them off. Never on stdout, and so never mixed into
 *   text, table or JSON results; a script that captures stderr (not a
 *   terminal) gets only errors and notes there.
 * - on a terminal without --progress, only once the run has taken `delayMs`
 *   (quick runs stay quiet), and at most one line per `intervalMs` except
 *   the last of a series.
 */
import type {Output} from './output.js'

/** Timing of progress lines. */
export interface ProgressTiming {
  /** Shown only after the run has taken this long (unless --progress); default 1 s. */
  readonly delayMs?: number
  /** At least this long between two lines, except a final one; default 200 ms. */
  readonly intervalMs?: number
}

/** Reports progress by the rule above; `flag` is --progress (true), --no-progress (false) or absent. */
export class Progress {
  /** Whether progress is reported at all. */
  readonly enabled: boolean
  /** Whether a line has been shown (so a closing line is worth printing). */
  shown = false
  private readonly started = Date.now()
  private lastShown = 0
  private readonly delayMs: number
  private readonly intervalMs: number

  constructor(private readonly out: Output, private readonly flag: boolean | undefined, timing: ProgressTiming = {}, stderrIsTTY = process.stderr.isTTY === true) {
    this.enabled = flag ?? stderrIsTTY
    this.delayMs = timing.delayMs ?? 1000
    this.intervalMs = timing.intervalMs ?? 200
  }

  /** Shows `text` if the rule allows; `final` marks the last line of a series (never throttled). */
  update(text: string, final = false): void {
    if (!this.enabled) return
    const now = Date.now()
    if (this.flag !== true && now - this.started < this.delayMs) return
    if (!final && now - this.lastShown < this.intervalMs) return
    this.lastShown = now
    this.shown = true
    this.out.progress(text)
  }

  /** A closing line, shown only if progress lines were shown before it. */
  done(text: string): void {
    if (this.shown) this.out.progress(text)
  }
}
