/**
 * The writer lock: one writing process per store.
 *
 * Exclusion comes from binding a Linux abstract-namespace Unix socket whose
 * name derives from the data directory's device and inode. The kernel allows
 * one bind per name and releases it when the holder exits for any reason,
 * kill -9 included, so a crashed writer never leaves a stale lock behind.
 * DIR/LOCK, created by init and never rewritten, marks the store as lockable;
 * it is not the lock. A process that finds the lock taken asks the holder for
 * its pid over the socket, to name it in the BUSY error.
 *
 * Limits: the lock excludes processes in the same network namespace on the
 * same machine (not across containers with separate namespaces, nor over NFS).
 */
import * as fs from 'node:fs'
import * as net from 'node:net'
import * as path from 'node:path'
import {createHash} from 'node:crypto'
import {ErrorCode, StrataError} from '../errors.js'

export const LOCK_FILE = 'LOCK'

/** A held writer lock. */
export interface WriterLock {
  release(): Promise<void>
}

function tryBind(name: string): Promise<net.Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => {
      socket.on('error', () => {})
      socket.end(`${process.pid}\n`)
    })
    const onError = (err: NodeJS.ErrnoException): void => {
      server.close()
      if (err.code === 'EADDRINUSE') resolve(undefined)
      else reject(err)
    }
    server.once('error', onError)
    server.listen(name, () => {
      server.off('error', onError)
      server.unref()
      resolve(server)
    })
  })
}

/**
 * The socket name for `dir`: its device and inode, so every path to one
 * directory names one lock. A directory that is not on the real disk (a
 * store on an injected in-memory filesystem) is named by its resolved path.
 */
function lockName(dir: string): string {
  try {
    const st = fs.statSync(dir)
    return `\0strata-writer-${st.dev}-${st.ino}`
  } catch {
    return `\0strata-writer-path-${createHash('sha256').update(path.resolve(dir)).digest('hex').slice(0, 32)}`
  }
}

/**
 * Acquires the writer lock of `dir`, waiting up to `timeoutMs` (polling).
 * Throws BUSY naming the holder's pid (as recorded in LOCK) when time runs out.
 */
export async function acquireWriterLock(dir: string, timeoutMs: number): Promise<WriterLock> {
  const name = lockName(dir)
  const deadline = Date.now() + Math.max(0, timeoutMs)
  let delay = 2
  for (;;) {
    const server = await tryBind(name)
    if (server) {
      return {
        release: () => new Promise<void>((resolve) => server.close(() => resolve())),
      }
    }
    if (Date.now() >= deadline) {
      const pid = await holderPid(name)
      const holder = pid === undefined ? '' : ` (held by pid ${pid})`
      throw new StrataError(ErrorCode.BUSY, `store ${dir} is locked by another writer${holder}`, {
        file: dir,
        hint: timeoutMs > 0 ? 'try again later, or raise --lock-timeout' : 'wait for the other writer, or pass --lock-timeout',
      })
    }
    await new Promise((r) => setTimeout(r, Math.min(delay, Math.max(1, deadline - Date.now()))))
    delay = Math.min(delay * 2, 50)
  }
}

/** Asks the lock holder for its pid; undefined if it does not answer within 200 ms. */
function holderPid(name: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    let data = ''
    const socket = net.connect(name)
    const done = (pid: string | undefined): void => {
      clearTimeout(timer)
      socket.destroy()
      resolve(pid)
    }
    const timer = setTimeout(() => done(undefined), 200)
    socket.setEncoding('utf8')
    socket.on('data', (d) => (data += d))
    socket.on('end', () => done(/^\d+\n$/.test(data) ? data.trim() : undefined))
    socket.on('error', () => done(undefined))
  })
}
