/**
 * Bearer-token authentication. The token is read once from a file (its
 * surrounding whitespace trimmed); every request must then carry
 * `Authorization: Bearer <token>`, else 401. Tokens are compared through
 * their SHA-256 hashes with `crypto.timingSafeEqual`, so the comparison takes
 * the same time whatever the given token's length or first wrong byte.
 */
import {createHash, timingSafeEqual} from 'node:crypto'
import {readFileSync} from 'node:fs'
import type {IncomingMessage} from 'node:http'
import {ErrorCode, invalidArgument, ioError} from '../errors.js'
import {HttpError} from './http-error.js'

/** Longest token accepted in a token file. */
const MAX_TOKEN_BYTES = 4096

/** Checks the Authorization header of each request against one token. */
export class BearerAuth {
  private readonly hash: Buffer

  constructor(token: string) {
    this.hash = sha256(token)
  }

  /** Reads the token from `file`; INVALID_ARGUMENT if it is empty or too long. */
  static fromFile(file: string): BearerAuth {
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch (err) {
      throw ioError('read token file', file, err)
    }
    const token = text.trim()
    if (token === '') throw invalidArgument(`token file ${file} is empty`, 'write a long random token into it, e.g. openssl rand -hex 32')
    if (Buffer.byteLength(token) > MAX_TOKEN_BYTES || /\s/.test(token)) throw invalidArgument(`token file ${file} must hold one token: no whitespace inside, at most ${MAX_TOKEN_BYTES} bytes`)
    return new BearerAuth(token)
  }

  /** Throws 401 UNAUTHORIZED unless `req` carries the token. */
  check(req: IncomingMessage): void {
    const header = req.headers.authorization
    const m = header === undefined ? null : /^Bearer +(\S+) *$/i.exec(header)
    const given = sha256(m === null ? '' : m[1])
    // Compare even when the header is absent, so every refusal costs the same.
    if (!timingSafeEqual(given, this.hash) || m === null) {
      throw new HttpError(401, ErrorCode.UNAUTHORIZED, header === undefined ? 'this server requires a bearer token' : 'the bearer token is not valid', 'send the header Authorization: Bearer <token>', {})
    }
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest()
}
