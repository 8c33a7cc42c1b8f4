/**
 * Walks a WAL's record frames by the documented framing (formats/README.md,
 * src/wal/format.ts), for when the strict Kaitai parser fails and verify must
 * find the first record that is not valid:
 *
 *   record := u4 crc  u4 length  u1 type  payload[length]
 *
 * A frame is valid when its header is complete, its type is BATCH, its
 * length is within the limit and the file, and crc32(length, type, payload)
 * equals `crc`. What the payload holds is left to the parser.
 *
 * @internal
 */
import {crc32} from '../util/crc.js'
import {WAL_HEADER_SIZE, WAL_RECORD_HEADER_SIZE} from '../wal/format.js'
import {recordProblem} from '../wal/reader.js'

/** A record's place in the file: [offset, end). */
export interface Frame {
  readonly offset: number
  readonly end: number
}

/** The valid frames from the header on, and the first invalid one, if any. */
export interface FrameWalk {
  readonly frames: Frame[]
  readonly bad?: {readonly offset: number; readonly problem: string}
}

/** Walks frames from the end of the header until the end of the file or the first invalid frame. */
export function walkFrames(buf: Buffer): FrameWalk {
  const frames: Frame[] = []
  let at = WAL_HEADER_SIZE
  while (at < buf.length) {
    const problem = recordProblem(buf, at)
    if (problem !== undefined) return {frames, bad: {offset: at, problem}}
    const end = at + WAL_RECORD_HEADER_SIZE + buf.readUInt32LE(at + 4)
    frames.push({offset: at, end})
    at = end
  }
  return {frames}
}
