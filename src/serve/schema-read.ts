/**
 * Records written with a schema are served as `strata get` and `scan` print
 * them: upgraded lazily to their schema's latest version, and named
 * "NAME@V". The schema module is loaded on the first stamped record only, so
 * a store without schemas pays nothing. One reader per request: the
 * registry may gain versions while the server runs.
 */
import type {KeyValue} from '../api.js'

type SchemaView = import('../schema/upgrade.js').SchemaView

/** Upgrades the stamped records of one request. */
export class SchemaRead {
  private view?: SchemaView

  constructor(private readonly dir: string) {}

  /** `kv` as served, and its schema version as "NAME@V" (undefined when unstamped). */
  async read(kv: KeyValue): Promise<{kv: KeyValue; schema?: string}> {
    if (kv.schema === undefined) return {kv}
    const view = (this.view ??= new (await import('../schema/upgrade.js')).SchemaView(this.dir))
    const out = view.upgrade(kv)
    return {kv: out, schema: `${view.nameOf(out.schema!.id)}@${out.schema!.version}`}
  }
}
