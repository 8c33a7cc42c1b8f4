/**
 * A file named on the command line as input (`put --file PATH`, `put --batch
 * PATH`). Any readable file is accepted: a regular file, and equally a FIFO,
 * a character device (`/dev/null`, `/dev/stdin`) or a process substitution
 * (`<(cmd)`, a `/dev/fd/N` pipe). Only a regular file has a size before it is
 * read, so callers check limits by size up front when they can (and may take
 * fast paths that need a file) and otherwise while reading; a directory, or a
 * path that cannot be opened, is refused here with INVALID_ARGUMENT (exit 2)
 * before anything else happens.
 *
 * The path is opened once and its descriptor read, so what is checked is what
 * is read. Opening a FIFO waits until something opens it for writing, as
 * `cat` does; the wait does not block the event loop.
 */
import {open, type FileHandle} from 'node:fs/promises'
import type {Readable} from 'node:stream'
import {ErrorCode} from '../../engine.js'
import {CliError} from '../oclif/cli-error.js'

/** An opened input. `stream()` or `close()` must be called exactly once. */
export interface InputFile {
  /** Its size when it is a regular file; undefined for a pipe, FIFO, device or socket. */
  readonly size: number | undefined
  /** Its bytes from the start; the stream closes the file when it ends or is destroyed. */
  stream(): Readable
  /** Closes the file without reading it. */
  close(): Promise<void>
}

function cannotRead(what: string, err: unknown): CliError {
  return new CliError(ErrorCode.INVALID_ARGUMENT, `${what}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`)
}

/**
 * Opens `path` for reading. `what` names it in errors (`--file x.bin`).
 * Throws INVALID_ARGUMENT for a directory or a path that cannot be opened.
 */
export async function openInputFile(path: string, what: string): Promise<InputFile> {
  let handle: FileHandle
  try {
    handle = await open(path, 'r')
  } catch (err) {
    throw cannotRead(what, err)
  }
  try {
    const st = await handle.stat()
    if (st.isDirectory()) throw new CliError(ErrorCode.INVALID_ARGUMENT, `${what} is a directory, not a file`)
    return {
      size: st.isFile() ? st.size : undefined,
      stream: () => handle.createReadStream({autoClose: true}),
      close: () => handle.close(),
    }
  } catch (err) {
    await handle.close()
    throw err instanceof CliError ? err : cannotRead(what, err)
  }
}
