/**
 * Reading request bodies within limits. A body over `limit` bytes is refused
 * with 413 as soon as its Content-Length says so, or once that many bytes
 * have arrived; a client that stops sending mid-body for `idleMs` gets 408.
 * Either way the connection is closed after the answer (the rest of the body
 * is never read), so a client cannot hold the server or its memory.
 */
import type {IncomingMessage} from 'node:http'
import {Transform, type TransformCallback} from 'node:stream'
import {ErrorCode} from '../errors.js'
import {formatBytes} from '../codec/limits.js'
import {HttpError} from './http-error.js'

/** 413: the body is larger than `limit`. */
export function tooLarge(limit: number, what: string): HttpError {
  return new HttpError(413, ErrorCode.INVALID_ARGUMENT, `${what} is over the limit of ${limit} bytes (${formatBytes(limit)})`, 'values are at most 64 MiB; store larger data in pieces under several keys')
}

/** 408: the client stopped sending the body. */
export function bodyTimeout(idleMs: number): HttpError {
  return new HttpError(408, ErrorCode.INVALID_ARGUMENT, `the request body stalled: no bytes for ${idleMs} ms`, 'send the whole body without pausing')
}

/** The declared Content-Length, 413 when over `limit`. */
function checkDeclared(req: IncomingMessage, limit: number, what: string): void {
  const declared = req.headers['content-length']
  if (declared !== undefined && Number(declared) > limit) throw tooLarge(limit, what)
}

/** The whole body of `req`, at most `limit` bytes, with `idleMs` allowed between its pieces. */
export async function readBody(req: IncomingMessage, limit: number, idleMs: number, what = 'the request body'): Promise<Buffer> {
  checkDeclared(req, limit, what)
  const parts: Buffer[] = []
  let size = 0
  await new Promise<void>((resolve, reject) => {
    let timer = setTimeout(() => done(bodyTimeout(idleMs)), idleMs)
    const done = (err?: unknown): void => {
      clearTimeout(timer)
      req.off('data', onData).off('end', onEnd).off('error', done).off('aborted', onAborted)
      if (err === undefined) resolve()
      else reject(err)
    }
    const onData = (b: Buffer): void => {
      size += b.length
      if (size > limit) return done(tooLarge(limit, what))
      parts.push(b)
      timer.refresh()
    }
    const onEnd = (): void => done()
    const onAborted = (): void => done(new HttpError(400, ErrorCode.INVALID_ARGUMENT, 'the client closed the connection mid-body'))
    req.on('data', onData).on('end', onEnd).on('error', done).on('aborted', onAborted)
    timer = timer.unref()
  })
  return Buffer.concat(parts, size)
}

/**
 * `req` as a stream for a reader that consumes it at its own pace (the
 * NDJSON importer): it fails with 408 when the client sends nothing for
 * `idleMs` while the reader waits for more. No total limit: each chunk of
 * lines is applied as it arrives, and lines have their own limit.
 */
export function bodyStream(req: IncomingMessage, idleMs: number): Transform {
  let timer: NodeJS.Timeout | undefined
  const out = new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
      timer?.refresh()
      cb(null, chunk)
    },
    flush(cb: TransformCallback) {
      clearTimeout(timer)
      cb()
    },
  })
  timer = setTimeout(() => out.destroy(bodyTimeout(idleMs)), idleMs).unref()
  out.on('close', () => clearTimeout(timer))
  req.on('aborted', () => out.destroy(new HttpError(400, ErrorCode.INVALID_ARGUMENT, 'the client closed the connection mid-body')))
  req.on('error', (err) => out.destroy(err))
  req.pipe(out)
  return out
}
