/**
 * Finding and reading the cuts of a replica. The newest is found without a
 * LIST: HEAD names the newest cut a run finished, and a run killed between
 * its descriptor and HEAD left at most the next ids written, so the newest
 * is the last of HEAD, HEAD+1, … that exists (a HEAD request each).
 */
import {ErrorCode, StrataError} from '../errors.js'
import type {ObjectStore} from '../objstore/object-store.js'
import {decodeCut, type CutDescriptor} from './cut-descriptor.js'
import {CUTS_PREFIX, HEAD_KEY, cutId, cutKey, parseCutKey, parseHead} from './keys.js'

/** The number of the newest cut (0 if the replica has none) and whether the replica has anything at all. */
export async function newestCutNumber(store: ObjectStore): Promise<number> {
  let n = 0
  try {
    n = parseHead(await store.get(HEAD_KEY), store.url)
  } catch (err) {
    if (!(err instanceof StrataError) || err.code !== ErrorCode.NOT_FOUND) throw err
  }
  while ((await store.head(cutKey(cutId(n + 1)))) !== undefined) n++
  if (n > 0 && (await store.head(cutKey(cutId(n)))) !== undefined) return n
  // HEAD names a cut that is gone (or there is no HEAD): fall back to a listing.
  const ids = await listCutIds(store)
  return ids.length === 0 ? 0 : Number(ids.at(-1))
}

/** Every cut id of the replica, oldest first (a LIST). */
export async function listCutIds(store: ObjectStore): Promise<string[]> {
  const ids: string[] = []
  for await (const o of store.list(CUTS_PREFIX)) {
    const id = parseCutKey(o.key)
    if (id !== undefined) ids.push(id)
  }
  return ids.sort()
}

/** Cut `id`'s descriptor: NOT_FOUND if absent, CORRUPTION if it does not parse. */
export async function readCut(store: ObjectStore, id: string): Promise<CutDescriptor> {
  let bytes: Uint8Array
  try {
    bytes = await store.get(cutKey(id))
  } catch (err) {
    if (err instanceof StrataError && err.code === ErrorCode.NOT_FOUND) {
      throw new StrataError(ErrorCode.NOT_FOUND, `${store.url} has no cut ${id}`, {hint: `list the cuts with: strata restore ${store.url} --list`})
    }
    throw err
  }
  return decodeCut(bytes, id, store.url)
}
