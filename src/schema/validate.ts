/**
 * Validation of JSON values against registered versions (JSON Schema draft
 * 2020-12, with ajv). ajv is loaded here only, on first use, by an `await
 * import`: the read path (get, scan) never loads it.
 */
import {createRequire} from 'node:module'
import {invalidArgument} from '../errors.js'
import type {SchemaVersion} from './format.js'

/** Why a value does not match a version: the JSON pointer of the failing part, and the rule. */
export interface ValidationFailure {
  /** JSON pointer into the value ("" for the value itself). */
  readonly pointer: string
  readonly message: string
}

type Check = (value: unknown) => ValidationFailure | undefined

/** Unknown keywords are allowed (annotations); formats are not asserted (draft 2020-12's default); a schema's $id is not registered (versions of one schema often share it). */
const AJV_OPTIONS = {strict: false, allErrors: false, validateFormats: false, addUsedSchema: false}

let shared: Validator | undefined

/** Compiled JSON Schemas, by their text. One per process (Validator.load). */
export class Validator {
  private readonly compiled = new Map<string, Check>()
  private readonly byVersion = new WeakMap<SchemaVersion, Check>()

  private constructor(private readonly ajv: AjvLike) {}

  /** The process's validator, ajv loaded on first call (compiled schemas are kept for the process). */
  static async load(): Promise<Validator> {
    if (shared === undefined) {
      const mod = (await import('ajv/dist/2020.js')) as unknown as {default: new (opts: object) => AjvLike}
      shared ??= new Validator(new mod.default(AJV_OPTIONS))
    }
    return shared
  }

  /** A validator, ajv loaded synchronously (for the synchronous verify). */
  static loadSync(): Validator {
    if (shared === undefined) {
      const mod = createRequire(import.meta.url)('ajv/dist/2020.js') as {default: new (opts: object) => AjvLike}
      shared = new Validator(new mod.default(AJV_OPTIONS))
    }
    return shared
  }

  /** Throws INVALID_ARGUMENT if `schema` is not a JSON Schema ajv compiles. */
  checkSchema(schema: unknown, what: string): void {
    try {
      this.ajv.compile(schema)
    } catch (err) {
      throw invalidArgument(`${what} is not a valid JSON Schema (draft 2020-12): ${(err as Error).message}`)
    }
  }

  /** The first way `value` fails `v`, or undefined if it matches. */
  validate(v: SchemaVersion, value: unknown): ValidationFailure | undefined {
    let check = this.byVersion.get(v)
    if (check === undefined) check = this.compile(v)
    return check(value)
  }

  /** The check of `v`, compiled once per schema text (the same id and version may name different schemas in different stores). */
  private compile(v: SchemaVersion): Check {
    const k = JSON.stringify(v.schema)
    let check = this.compiled.get(k)
    if (check === undefined) {
      const fn = this.ajv.compile(v.schema)
      check = (value) => {
        if (fn(value)) return undefined
        const e = fn.errors?.[0]
        return {pointer: e?.instancePath ?? '', message: e?.message ?? 'does not match'}
      }
      this.compiled.set(k, check)
    }
    this.byVersion.set(v, check)
    return check
  }
}

/** "at /age: must be integer" for a failure. */
export function describeFailure(f: ValidationFailure): string {
  return `at ${f.pointer === '' ? '""' : f.pointer}: ${f.message}`
}

/** The part of ajv this file uses. */
interface AjvLike {
  compile(schema: unknown): ((value: unknown) => boolean) & {errors?: Array<{instancePath: string; message?: string}> | null}
}
