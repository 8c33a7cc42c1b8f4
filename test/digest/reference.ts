/**
 * A second, deliberately plain implementation of the store digest, written
 * from formats/README.md ("Store digest") alone: Buffer.concat for the
 * encoding, one createHash per record, BigInt for the sum. Tests compare the
 * engine's digest with it.
 */
import {createHash} from 'node:crypto'

/** One live record as the definition sees it. */
export interface LogicalRecord {
  readonly key: Buffer
  readonly value: Buffer
  readonly expiresAt?: number
  readonly json: boolean
  readonly schema?: {readonly id: number; readonly version: number}
}

const MOD = 1n << 256n

/** The hash input of `r` (version 1). */
export function referenceEncoding(r: LogicalRecord): Buffer {
  const u4 = (n: number): Buffer => {
    const b = Buffer.alloc(4)
    b.writeUInt32LE(n)
    return b
  }
  const u8 = (n: number): Buffer => {
    const b = Buffer.alloc(8)
    b.writeBigUInt64LE(BigInt(n))
    return b
  }
  const flags = (r.expiresAt !== undefined ? 1 : 0) | (r.json ? 2 : 0) | (r.schema !== undefined ? 4 : 0)
  return Buffer.concat([
    Buffer.from([1, flags]),
    u4(r.key.length), r.key,
    u4(r.value.length), r.value,
    u8(r.expiresAt ?? 0), u8(r.schema?.id ?? 0), u8(r.schema?.version ?? 0),
  ])
}

/** SHA-256 of the encoding, hex. */
export function referenceHash(r: LogicalRecord): string {
  return createHash('sha256').update(referenceEncoding(r)).digest('hex')
}

/** The digest of `records` as a BigInt. */
export function referenceSum(records: Iterable<LogicalRecord>): bigint {
  let sum = 0n
  for (const r of records) sum = (sum + BigInt(`0x${referenceHash(r)}`)) % MOD
  return sum
}

/** 64 lowercase hex digits, most significant first. */
export function hex256(n: bigint): string {
  return n.toString(16).padStart(64, '0')
}

/** Sums hex digests modulo 2^256. */
export function sumHex(digests: Iterable<string>): string {
  let sum = 0n
  for (const d of digests) sum = (sum + BigInt(`0x${d}`)) % MOD
  return hex256(sum)
}
