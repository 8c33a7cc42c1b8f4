/**
 * The read commands' side of value schemas: each stamped record read through
 * the lazy upgrade (to the latest version, or --schema-version V), or as
 * stored with --raw, and named "NAME@V" for output. The schema module is
 * loaded on the first stamped record only, so a store without schemas pays
 * nothing; no JSON Schema library is loaded at all.
 */
import {ErrorCode} from '../errors.js'
import type {KeyValue} from '../api.js'
import type {SchemaRef} from '../record/format.js'
import {CliError} from './oclif/cli-error.js'

type SchemaView = import('../schema/upgrade.js').SchemaView

/** Upgrades and names the stamped records one read command prints. */
export class SchemaReads {
  private view?: SchemaView

  constructor(
    private readonly dir: string,
    /** --schema-version: the version to read stamped records at (default: their schema's latest). */
    private readonly toVersion?: number,
    /** --raw: read stamped records as stored. */
    private readonly raw = false,
  ) {}

  /** The loaded view (first call loads the module and, on first use, the registry). */
  async load(): Promise<SchemaView> {
    return (this.view ??= new (await import('../schema/upgrade.js')).SchemaView(this.dir))
  }

  /** `kv` as the command prints it, and its schema as "NAME@V" (undefined if unstamped). */
  async read(kv: KeyValue): Promise<{kv: KeyValue; schema?: string}> {
    if (kv.schema === undefined) return {kv}
    const view = this.view ?? (await this.load())
    const out = this.raw ? kv : view.upgrade(kv, this.toVersion)
    return {kv: out, schema: this.name(view, out.schema!)}
  }

  /** `kv` as `read` gives it, with the version shown as `schemaName`. */
  async show(kv: KeyValue): Promise<KeyValue & {schemaName?: string}> {
    if (kv.schema === undefined) return kv
    const {kv: out, schema} = await this.read(kv)
    return {...out, schemaName: schema}
  }

  /** "NAME@V" of `ref`. */
  name(view: SchemaView, ref: SchemaRef): string {
    return `${view.nameOf(ref.id)}@${ref.version}`
  }
}

/** --schema-version's value checked: a positive integer, or undefined when not given. */
export function parseSchemaVersion(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  if (!/^[1-9]\d{0,8}$/.test(text)) throw new CliError(ErrorCode.INVALID_ARGUMENT, `--schema-version ${JSON.stringify(text)} is not a positive integer`)
  return Number(text)
}
