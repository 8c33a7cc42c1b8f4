/**
 * The progress line of commands that move objects (replicate, restore):
 * objects and bytes done of the total, and the rate since the start.
 */
import {formatBytes} from '../../codec/limits.js'

export interface TransferCounts {
  readonly objects: number
  readonly totalObjects: number
  readonly bytes: number
  readonly totalBytes: number
}

export function transferLine(what: string, p: TransferCounts, startedMs: number): string {
  const secs = Math.max(0.001, (Date.now() - startedMs) / 1000)
  return `${what}: ${p.objects}/${p.totalObjects} objects, ${formatBytes(p.bytes)} of ${formatBytes(p.totalBytes)}, ${formatBytes(Math.round(p.bytes / secs))}/s`
}
