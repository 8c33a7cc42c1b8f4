/**
 * verify's value-schema checks: the registry's files (schema.registry), and
 * each live record stamped with a schema against the version it names
 * (schema.records). The records are read through the store's own read path
 * (a read-only view: no lock, nothing written), so this runs after the file
 * checks and only when they found no error; ajv is loaded only when the
 * store holds stamped records.
 */
import * as path from 'node:path'
import {ErrorCode, StrataError, isNotFound} from '../errors.js'
import {joinPath, SCHEMAS_DIR} from '../layout/names.js'
import {readDescriptor} from '../store/descriptor.js'
import {StoreImpl} from '../store/store.js'
import {readRegistry, type SchemaRegistry} from '../schema/registry.js'
import {Validator, describeFailure} from '../schema/validate.js'
import {relPath, reporter, type VerifyContext} from './context.js'

/** Stamped records named one by one; past this, one summary finding. */
const MAX_NAMED = 10
/**
 * Scans of the records at most, when a concurrent writer replaces tables
 * under one. A writer that compacts continuously can outpace several scans
 * on a busy machine (seen with 5); each retry is a fresh view, so a bound
 * this high costs nothing when nobody writes.
 */
const SCAN_ATTEMPTS = 25

/** Runs both checks; see the file comment. */
export function checkSchemas(ctx: VerifyContext): void {
  let registry: SchemaRegistry
  try {
    registry = readRegistry(ctx.dir, ctx.fs)
  } catch (err) {
    if (!(err instanceof StrataError) || err.code !== ErrorCode.CORRUPTION) throw err
    const file = err.file === undefined ? SCHEMAS_DIR : relPath(...path.relative(ctx.dir, err.file).split(path.sep))
    reporter(ctx, file, undefined, 'schema.registry').error('schema.registry', err.offset ?? 0, err.message)
    return
  }
  if (ctx.quick || ctx.sink.errors > 0) return
  const r = reporter(ctx, SCHEMAS_DIR, undefined, 'schema.records')
  const validator: {v?: Validator} = {}
  // The file checks passed, so a table that vanishes during the scan was
  // replaced by a writer's flush or compaction meanwhile: scan again from a
  // fresh view (problems are reported only from a scan that completed).
  let problems: Array<{key: string; text: string}> = []
  for (let attempt = 1; ; attempt++) {
    try {
      problems = stampedProblems(ctx, registry, validator)
      break
    } catch (err) {
      if (attempt >= SCAN_ATTEMPTS || !isNotFound(err)) throw err
    }
  }
  for (const p of problems.slice(0, MAX_NAMED)) r.error('schema.records', 0, p.text, {first: p.key, last: p.key, encoding: 'utf8' as const})
  const bad = problems.length
  if (bad > MAX_NAMED) r.error('schema.records', 0, `${bad - MAX_NAMED} more stamped records do not validate`)
  if (ctx.fs.exists(joinPath(ctx.dir, SCHEMAS_DIR))) ctx.progress(SCHEMAS_DIR)
}

/** Every live stamped record that names no registered version or does not validate against it, read through a fresh read-only view. */
function stampedProblems(ctx: VerifyContext, registry: SchemaRegistry, validator: {v?: Validator}): Array<{key: string; text: string}> {
  const store = new StoreImpl(ctx.dir, ctx.fs, readDescriptor(ctx.fs, ctx.dir), {readOnly: true, fs: ctx.fs}, 'always', undefined)
  const problems: Array<{key: string; text: string}> = []
  try {
    for (const kv of store.scanSync()) {
      if (kv.schema === undefined) continue
      const key = kv.key.toString('utf8')
      const problem = ((): string | undefined => {
        const entry = registry.findById(kv.schema.id)
        if (entry === undefined) return `names schema id ${kv.schema.id}, which is not registered`
        const version = entry.versions[kv.schema.version - 1]
        if (version === undefined) return `names version ${kv.schema.version} of schema "${entry.name}", which has 1 to ${entry.versions.length}`
        let value: unknown
        try {
          value = JSON.parse(kv.value.toString('utf8'))
        } catch {
          return `is stamped ${entry.name}@${version.version} but its value is not JSON`
        }
        const failure = (validator.v ??= Validator.loadSync()).validate(version, value)
        return failure === undefined ? undefined : `does not validate against ${entry.name}@${version.version} ${describeFailure(failure)}`
      })()
      if (problem !== undefined) problems.push({key, text: `key ${JSON.stringify(key)} (shard ${kv.shard}, seq ${kv.seq}) ${problem}`})
    }
  } finally {
    // A read-only store holds read descriptors only: its close does not fail in practice, and is not awaited (verify is synchronous).
    store.close().catch(() => undefined)
  }
  return problems
}
