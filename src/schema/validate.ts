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

/** Unknown keywords are allowed (annotations); formats are not asserted (draft 2020-12's default). */
const AJV_OPTIONS = {strict: false, allErrors: false, validateFormats: false}

/** Compiled versions of one registry, by schema id and version. */
export class Validator {
  private readonly compiled = new Map<string, Check>()

  private constructor(private readonly ajv: AjvLike) {}

  /** A validator, ajv loaded. */
  static async load(): Promise<Validator> {
    const mod = (await import('ajv/dist/2020.js')) as unknown as {default: new (opts: object) => AjvLike}
    return new Validator(new mod.default(AJV_OPTIONS))
  }

  /** A validator, ajv loaded synchronously (for the synchronous verify). */
  static loadSync(): Validator {
    const mod = createRequire(import.meta.url)('ajv/dist/2020.js') as {default: new (opts: object) => AjvLike}
    return new Validator(new mod.default(AJV_OPTIONS))
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
    const k = `${v.id}@${v.version}`
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
    return check(value)
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
