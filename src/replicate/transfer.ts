/**
 * What replicate and restore report while they move objects, and the
 * SHA-256 both compute over every object's bytes.
 */
import {createHash} from 'node:crypto'

/** Objects and bytes moved so far, of the totals planned. */
export interface TransferProgress {
  readonly objects: number
  readonly totalObjects: number
  readonly bytes: number
  readonly totalBytes: number
}

export type ProgressCallback = (p: TransferProgress) => void

/** Counts a transfer and reports each step to `onProgress`. */
export class TransferCounter {
  objects = 0
  bytes = 0

  constructor(readonly totalObjects: number, readonly totalBytes: number, private readonly onProgress?: ProgressCallback) {}

  add(bytes: number): void {
    this.objects++
    this.bytes += bytes
    this.onProgress?.({objects: this.objects, totalObjects: this.totalObjects, bytes: this.bytes, totalBytes: this.totalBytes})
  }
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}
