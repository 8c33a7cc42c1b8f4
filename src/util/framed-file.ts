/**
 * Whole files laid out as
 *
 *   magic (8 bytes) · format version (u32 LE) · body · crc32 (u32 LE)
 *
 * where the crc covers every byte before it: STORE (store/descriptor.ts) and
 * MANIFEST (manifest/codec.ts). The crc's place is fixed in every version and
 * it covers the version, so a version that fails it is damage, not a newer
 * format.
 */
import {corruption} from '../errors.js'
import {crc32} from './crc.js'
import type {ByteWriter} from './coding.js'

/** How a file kind is named in errors. */
export interface FramedFileWords {
  /** "manifest", "descriptor". */
  readonly what: string
  /** The message for a wrong magic number. */
  readonly badMagic: string
}

/** Appends the crc of everything `w` holds and returns the file's bytes. */
export function sealFramed(w: ByteWriter): Buffer {
  w.u32(crc32(w.finish()))
  return Buffer.from(w.finish())
}

/** Checks `buf`'s length, magic and crc and returns its format version; CORRUPTION naming `path` and the byte offset otherwise. */
export function framedVersion(buf: Buffer, path: string, magic: Uint8Array, words: FramedFileWords): number {
  const truncated = (): Error => corruption(path, buf.length, `${words.what} is truncated (${buf.length} bytes)`)
  if (buf.length < 12) throw truncated()
  if (!buf.subarray(0, 8).equals(magic)) throw corruption(path, 0, words.badMagic)
  const version = buf.readUInt32LE(8)
  if (buf.length < 16) throw truncated()
  const stored = buf.readUInt32LE(buf.length - 4)
  if (crc32(buf.subarray(0, buf.length - 4)) !== stored) throw corruption(path, buf.length - 4, `${words.what} checksum mismatch`)
  return version
}
