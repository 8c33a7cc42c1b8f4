/**
 * An object store: the destination of `replicate` and the source of
 * `restore`. Two kinds stand behind this one contract: a directory on a
 * filesystem (a plain path or `file://`) and an S3-compatible bucket
 * (`s3://bucket/prefix`). Replication code sees only this interface, so a
 * behaviour proven on one kind holds on the other.
 *
 * Keys are `/`-separated relative names below the destination's root (the
 * directory, or the bucket's prefix). Objects are immutable once written,
 * except where a caller overwrites one on purpose (the destination's lease).
 *
 * Errors are StrataErrors with the engine's stable codes:
 *   NOT_FOUND  the object does not exist (get, getRange);
 *   CORRUPTION never raised here: callers check sizes and SHA-256 themselves;
 *   IO         the store could not be reached or refused the request
 *              (after the adapter's own bounded retries);
 *   INVALID_ARGUMENT a malformed destination URL.
 */

/** One object as a listing shows it. */
export interface ObjectInfo {
  readonly key: string
  readonly size: number
}

export interface PutOptions {
  /**
   * Write only if no object has this key: the conditional write
   * (`If-None-Match: *` on S3; an exclusive create on a directory). When the
   * key exists, put resolves to 'exists' and writes nothing.
   */
  readonly ifAbsent?: boolean
}

export interface ObjectStore {
  /** The destination as the user named it, for messages (no credentials). */
  readonly url: string
  /**
   * Writes a whole object. Atomic: a reader sees the old state or the whole
   * new object, never part of it (a directory writes a temporary file, syncs
   * it and renames it into place).
   */
  put(key: string, body: Uint8Array, options?: PutOptions): Promise<'written' | 'exists'>
  /** The whole object. NOT_FOUND when absent. */
  get(key: string): Promise<Uint8Array>
  /** Bytes [start, end) of an object. NOT_FOUND when absent. */
  getRange(key: string, start: number, end: number): Promise<Uint8Array>
  /** The object's size, or undefined when absent. */
  head(key: string): Promise<ObjectInfo | undefined>
  /** Deletes an object; deleting an absent object is not an error. */
  delete(key: string): Promise<void>
  /**
   * Every object whose key starts with `prefix`, in key order. A listing is
   * the expensive call on S3: replication uses it only for retention and for
   * `restore --list`, never on every shipped cut.
   */
  list(prefix: string): AsyncIterable<ObjectInfo>
  /** Releases connections. Idempotent. */
  close(): Promise<void>
}
