/**
 * `exportLive`: writes the live records of a store (or of a held cut of one)
 * as NDJSON import lines, in bytewise key order across shards: the lines
 * `strata dump --latest --format ndjson` prints for the same store, which
 * `importNdjson` loads into an empty store of any shard count as exactly
 * that data (the same digest).
 *
 * Line shape (src/codec/record-json.ts, `exportLineJson`):
 *   {"key", "keyEncoding", "value", "valueEncoding", "json", "expiresAt": number|null, "shard", "seq"}
 * "shard" and "seq" say where the record was; an import ignores them.
 * Expiry is judged at the one instant `at` for every shard.
 *
 * It reads through the engine's read path, each shard a consistent view (a
 * cut: every shard at the cut's instant), and writes to `out` with its
 * back-pressure, so memory stays bounded whatever the store's size. `out` is
 * not ended: the caller owns it.
 */
import {once} from 'node:events'
import type {Writable} from 'node:stream'
import type {KeyValue} from '../api.js'
import type {FileSystem} from '../vfs/fs.js'
import {mergeSorted} from '../store/merge.js'
import {toKeyValue} from '../store/read-adapters.js'
import {instantOf, keySelection, liveEntries, type KeySelectionOptions} from '../store/live-entries.js'
import {openReadSource, type ReadSource} from '../cut/read-source.js'
import type {Encoding} from '../codec/encoding.js'
import {exportLineJson} from '../codec/record-json.js'

/** Options for `exportLive`. Bounds are bytewise; the range is [from, to). */
export interface ExportOptions extends KeySelectionOptions {
  /** The instant expiry is judged at, ms since the epoch. Default: the clock, read once when the call starts. */
  readonly at?: number
  /** How keys and values are written. Default utf8 for both (bytes that are not UTF-8 then go as base64). */
  readonly encodings?: {readonly key: Encoding; readonly value: Encoding}
  readonly fs?: FileSystem
}

/** What an export wrote. */
export interface ExportResult {
  /** Lines (live records) written. */
  readonly records: number
  /** The instant expiry was judged at, ms since the epoch. */
  readonly at: number
}

/** Text handed to `out.write` at once: large enough that a write costs little per line. */
const WRITE_BYTES = 64 * 1024

const byKey = (a: KeyValue, b: KeyValue): number => Buffer.compare(a.key, b.key)

/** Writes the live records of `source` to `out`; see the file comment. */
export async function exportLive(source: ReadSource, out: Writable, options: ExportOptions = {}): Promise<ExportResult> {
  const at = instantOf(options.at)
  const selection = keySelection(options)
  const enc = options.encodings ?? {key: 'utf8', value: 'utf8'}
  const {store, release} = await openReadSource(source, options.fs)
  let records = 0
  try {
    const perShard = [...Array(store.shardCount).keys()].map((index) => (function* () {
      for (const e of liveEntries(store, index, selection, at)) yield toKeyValue(e, index)
    })())
    let text = ''
    for (const kv of mergeSorted(perShard, byKey)) {
      text += `${JSON.stringify(exportLineJson(kv, enc))}\n`
      records++
      if (text.length >= WRITE_BYTES) {
        await write(out, text)
        text = ''
      }
    }
    if (text.length > 0) await write(out, text)
  } finally {
    await release()
  }
  return {records, at}
}

/** Writes `text`, waiting for the stream to drain when its buffer is full; rejects if the stream fails meanwhile. */
async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain')
}
