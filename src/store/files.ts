/**
 * Names of the files in a data directory and in each shard directory.
 *
 *   DIR/STORE  DIR/LOCK  DIR/shard-0000/{CURRENT, MANIFEST-NNNNNN, NNNNNN.wal, NNNNNN.sst}
 *   (and DIR/INIT-IN-PROGRESS while init runs: data-dir.ts)
 *
 * File numbers are per shard, allocated from the manifest's next_file_number,
 * and never reused.
 */
import * as path from 'node:path'

export const joinPath = path.join

/** The directory of shard `i`: shard-0000, shard-0001, ... */
export function shardDirName(i: number): string {
  return `shard-${String(i).padStart(4, '0')}`
}

export function walFileName(n: number): string {
  return `${String(n).padStart(6, '0')}.wal`
}

export function tableFileName(n: number): string {
  return `${String(n).padStart(6, '0')}.sst`
}

export function manifestFileName(n: number): string {
  return `MANIFEST-${String(n).padStart(6, '0')}`
}

export const CURRENT_FILE = 'CURRENT'

/** In a directory a checkpoint is writing: present from its start until STORE is durable. */
export const CHECKPOINT_PARTIAL_FILE = 'CHECKPOINT-PARTIAL'

/** The kind and number of a shard-directory file name, or undefined for other names. */
export function parseFileName(name: string): {kind: 'wal' | 'sst' | 'manifest'; number: number} | undefined {
  let m = /^(\d{6,})\.(wal|sst)$/.exec(name)
  if (m) return {kind: m[2] as 'wal' | 'sst', number: Number(m[1])}
  m = /^MANIFEST-(\d{6,})$/.exec(name)
  if (m) return {kind: 'manifest', number: Number(m[1])}
  return undefined
}
