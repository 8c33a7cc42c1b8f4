/**
 * The one way the CLI writes to stdout. Contract:
 *
 * - Every byte handed to `write` is written in full, or the write fails:
 *   a failed write (ENOSPC, EIO, EBADF, …) becomes one IO error (exit 5),
 *   thrown by that `write` or, for bytes still queued, by `flush`.
 * - A reader that went away (EPIPE: `strata scan | head -1`) is not an
 *   error: `closed` turns true, later writes are dropped, and the command
 *   ends quietly with the status it would otherwise have had.
 * - `flush` resolves only once the operating system has taken every byte,
 *   so a command sets its exit status after its output is out, never before.
 *
 * Two ways to write, chosen by what fd 1 is:
 * - a regular file or a device (`> file`, `> /dev/full`): write(2) on fd 1
 *   in a loop. Node's own stream for these (SyncWriteStream) ignores short
 *   writes, so a nearly full disk would silently drop the rest of a value.
 * - a pipe, socket or terminal: Node's process.stdout stream, which handles
 *   short writes and a full pipe; each write's callback reports its error.
 */
import * as fs from 'node:fs'
import type {Writable} from 'node:stream'
import {ErrorCode} from '../../errors.js'
import {CliError} from '../oclif/cli-error.js'
import {errorLine, reportError} from '../oclif/error-report.js'

/** Where the output goes: the interface Output writes through (tests may give their own). */
export interface OutputSink {
  /** True when stdout is a terminal (pretty JSON, colour). */
  readonly isTTY: boolean
  /** The terminal's width in columns, when stdout is a terminal that says. */
  readonly columns?: number
  /** True once the reader has gone away (EPIPE): further output is dropped. */
  readonly closed: boolean
  /** Writes all of `chunk`; resolves when more may be written; throws IO on a failed write. */
  write(chunk: string | Uint8Array): Promise<void>
  /** Resolves once every byte written so far is with the operating system; throws IO if any write failed. */
  flush(): Promise<void>
}

/** The error a failed stdout write becomes: one line, code IO, exit 5. */
export function stdoutWriteError(err: unknown): CliError {
  const e = err as NodeJS.ErrnoException
  const why = typeof e?.code === 'string' ? `${e.code}${e.message ? `: ${e.message.replace(/^[A-Z]+: /, '')}` : ''}` : String(e?.message ?? err)
  return new CliError(ErrorCode.IO, `cannot write the output to stdout (${why}); the output is incomplete`, 'check the disk or device that stdout goes to')
}

function isEpipe(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'EPIPE'
}

/** Writes to a file descriptor that is a file or a device, with write(2) in a loop. */
export class FdSink implements OutputSink {
  readonly isTTY = false
  closed = false
  constructor(private readonly fd: number) {}

  async write(chunk: string | Uint8Array): Promise<void> {
    if (this.closed) return
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk
    let done = 0
    while (done < bytes.length) {
      let n: number
      try {
        n = fs.writeSync(this.fd, bytes, done, bytes.length - done)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') {
          await new Promise((resolve) => setTimeout(resolve, 1))
          continue
        }
        if (isEpipe(err)) {
          this.closed = true
          return
        }
        throw stdoutWriteError(err)
      }
      // write(2) returning 0 for a non-empty buffer makes no progress: a device that takes nothing.
      if (n === 0) throw stdoutWriteError(Object.assign(new Error('no bytes were written'), {code: 'EIO'}))
      done += n
    }
  }

  async flush(): Promise<void> {
    // write(2) on a file or device has handed the bytes over when it returns.
  }
}

/** Writes through a Node stream (a pipe, socket or terminal). */
export class StreamSink implements OutputSink {
  readonly isTTY: boolean
  private failure: CliError | undefined
  private reader = true
  /** Writes handed to the stream whose callback has not run yet. */
  private pending = 0
  /** Resolves `flush` once `pending` falls to 0. */
  private onIdle: (() => void) | undefined
  /** One callback for every write (no closure per line: a scan writes millions). */
  private readonly afterWrite = (err?: Error | null): void => {
    if (err) this.fail(err)
    if (--this.pending === 0 && this.onIdle !== undefined) {
      const resolve = this.onIdle
      this.onIdle = undefined
      resolve()
    }
  }

  constructor(private readonly stream: Writable & {readonly isTTY?: boolean}) {
    this.isTTY = stream.isTTY === true
    // This sink owns the stream's errors: each write's callback reports its
    // own. A listener left by someone else that rethrows (oclif installs one
    // that swallows EPIPE and rethrows the rest) would turn a failed write
    // into a stack trace and exit 1, so it is removed.
    for (const listener of stream.listeners('error')) stream.off('error', listener as (...args: unknown[]) => void)
    stream.on('error', (err) => this.fail(err))
  }

  get closed(): boolean {
    return !this.reader
  }

  get columns(): number | undefined {
    const c = (this.stream as {columns?: number}).columns
    return this.isTTY && typeof c === 'number' && c > 0 ? c : undefined
  }

  private fail(err: unknown): void {
    if (isEpipe(err)) this.reader = false
    else if (this.reader) this.failure ??= stdoutWriteError(err)
  }

  async write(chunk: string | Uint8Array): Promise<void> {
    if (this.failure) throw this.failure
    if (this.closed) return
    if (this.stream.destroyed) {
      this.fail(Object.assign(new Error('stdout was closed'), {code: 'EPIPE'}))
      return
    }
    this.pending++
    const ok = this.stream.write(chunk, this.afterWrite)
    if (!ok) await this.drained()
    if (this.failure) throw this.failure
  }

  /** Resolves when the stream can take more, or has failed or closed (a reader that went away must not hang us). */
  private drained(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        this.stream.off('drain', done)
        this.stream.off('close', done)
        this.stream.off('error', done)
        resolve()
      }
      this.stream.once('drain', done)
      this.stream.once('close', done)
      this.stream.once('error', done)
    })
  }

  async flush(): Promise<void> {
    // Every write's callback runs, also on a stream destroyed by an error;
    // 'close' is a second way out, so a flush can never hang.
    if (this.pending > 0 && !this.stream.destroyed) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.stream.off('close', done)
          this.onIdle = undefined
          resolve()
        }
        this.onIdle = done
        this.stream.once('close', done)
      })
    }
    if (this.failure) throw this.failure
  }
}

/**
 * For what oclif itself writes to stdout (help, --version): a failed write is
 * one `error IO` line and exit 5, a closed pipe is quiet, instead of oclif's
 * listener rethrowing the error as a stack trace. A command's own sink
 * replaces this handler when it writes through the stream.
 */
export function guardProcessStdout(): void {
  for (const listener of process.stdout.listeners('error')) process.stdout.off('error', listener as (...args: unknown[]) => void)
  let reported = false
  process.stdout.on('error', (err) => {
    if (isEpipe(err) || reported) return
    reported = true
    const report = reportError(stdoutWriteError(err))
    process.stderr.write(`${errorLine(report)}\n`)
    process.exitCode = report.exitCode
  })
}

/** stderr has nowhere to report its own failures: they are ignored rather than crashing the command. */
let stderrGuarded = false
function guardStderr(): void {
  if (stderrGuarded) return
  stderrGuarded = true
  process.stderr.on('error', () => {})
}

/** The sink for this process's stdout, chosen by what fd 1 is (see the file comment). */
export function processStdout(): OutputSink {
  guardStderr()
  let st: fs.Stats | undefined
  try {
    st = fs.fstatSync(1)
  } catch {
    st = undefined
  }
  if (st !== undefined && (st.isFile() || st.isBlockDevice() || (st.isCharacterDevice() && process.stdout.isTTY !== true))) return new FdSink(1)
  return new StreamSink(process.stdout)
}
