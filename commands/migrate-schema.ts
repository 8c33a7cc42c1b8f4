import {ErrorCode, StrataError, migrateSchema, type MigrateReport} from '../src/index.js'
import {
  Flags, Progress, StrataCommand, decodeRange, formatJson, keyEncodingFlag, keyForMessage, lockTimeoutFlag, parseDuration, progressFlag,
  type Encoding, type FlagRule,
} from '../src/cli/index.js'

/**
 * JSON output: {"schema", "toVersion", "dryRun", "resumed", "aborted", "examined", "migrated", "failed",
 * "failures": [{"key", "keyEncoding", "version", "reason"}...], "shards": [{"shard", "versions": [{"version", "records",
 * "wouldChange", "failed"}...]}...] (dry run), "samples": [{"key", "keyEncoding", "version", "before", "after"}...] (dry run),
 * "digestBefore", "digestAfter": string|null, "belowVersion", "invalid", "verified": boolean|null}.
 */
export default class MigrateSchema extends StrataCommand {
  static override summary = 'Rewrite the records of a value schema to one of its versions, resumably, with a proof.'
  static override description = `Every record stamped with an older version of --schema (in [--from, --to) and under --prefix, if given) is upgraded through the declared changes to --to-version, validated against it, and rewritten, keeping its key and expiry. Records already at that version are left alone, so a second run rewrites nothing. Records of other schemas and unstamped records are never touched.

The run takes the writer lock and works shard by shard in key-range chunks of --chunk-size records; each chunk's new tables are synced before the journal (schemas/MIGRATION) records it, and once a shard's chunks are done its tables replace the shard in one switch, with progress on stderr. Killed at any moment, the store stays valid: run the same command again (or with --resume) and it continues after the last durable chunk; --abort drops the journal (shards already switched stay at the new version, which reads the same). A record that does not convert stops the run before its shard changes (--on-error stop, the default; exit 2, naming the key) or is left at its version and listed (--on-error skip).

Afterwards it proves the result and prints the check: the digest of the store as read through the lazy upgrade before the run must equal the digest of the stored records after it, and every record of the schema must be at the version (but the skipped ones) and validate against it. A failed check is exit 3.

--dry-run writes nothing and takes no lock: per shard and stored version, how many records would change, a few before/after samples, every record that would fail to convert, and the digest the run would have to reach.

Exit codes: 0 done (or dry run), 1 no such schema or version, 2 bad flags, a record that does not convert, or another unfinished migration, 3 the proof failed or data is damaged, 4 busy, 5 I/O error.`

  static override examples = [
    {description: 'What would rewriting "user" records to version 2 change?', command: '<%= config.bin %> <%= command.id %> --schema user --to-version 2 --dry-run'},
    {description: 'Rewrite them, leaving records that do not convert at their version, and print the report as JSON.', command: '<%= config.bin %> <%= command.id %> --schema user --to-version 2 --on-error skip --format json'},
    {description: 'Continue a run that was killed.', command: '<%= config.bin %> <%= command.id %> --schema user --to-version 2 --on-error skip --resume'},
  ]

  static override flagRules: readonly FlagRule[] = [
    {flag: 'dry-run', conflicts: ['resume', 'abort'], why: 'a dry run writes nothing, so it has no run to continue or drop'},
    {flag: 'abort', conflicts: ['resume'], why: '--abort drops an unfinished run, --resume continues it'},
  ]

  static override flags = {
    schema: Flags.string({summary: 'The schema whose records are rewritten.', required: true, helpValue: 'NAME'}),
    'to-version': Flags.integer({summary: 'The version to rewrite them to.', required: true, min: 1, helpValue: 'V'}),
    'dry-run': Flags.boolean({summary: 'Report what would change; write nothing.'}),
    resume: Flags.boolean({summary: 'Continue an unfinished run (the same flags also continue it).'}),
    abort: Flags.boolean({summary: 'Drop an unfinished run\'s journal.'}),
    from: Flags.string({summary: 'First key of the range (included), in --key-encoding.', helpValue: 'KEY'}),
    to: Flags.string({summary: 'End of the range (excluded), in --key-encoding.', helpValue: 'KEY'}),
    prefix: Flags.string({summary: 'Only keys starting with this, in --key-encoding.', helpValue: 'PREFIX'}),
    'on-error': Flags.option({options: ['stop', 'skip'] as const, default: 'stop' as const, summary: 'A record that does not convert: stop before its shard changes, or skip it and list it.'})(),
    'chunk-size': Flags.integer({summary: 'Records per durable chunk.', min: 1, default: 100000, helpValue: 'N'}),
    'key-encoding': keyEncodingFlag,
    'lock-timeout': lockTimeoutFlag,
    progress: progressFlag,
  }

  async run(): Promise<void> {
    const {flags} = await this.parseCommand(MigrateSchema)
    const lockTimeoutMs = parseDuration(flags['lock-timeout'], {what: '--lock-timeout', allowZero: true})
    const enc = flags['key-encoding']
    const range = decodeRange(flags, enc)
    const progress = new Progress(this.output, flags.progress)
    const report = await migrateSchema(flags.dir, {
      schema: flags.schema, toVersion: flags['to-version'], dryRun: flags['dry-run'], resume: flags.resume, abort: flags.abort,
      ...range, onError: flags['on-error'], chunkRecords: flags['chunk-size'], lockTimeoutMs,
      onProgress: (p) => progress.update(`migrate-schema: shard ${p.shard + 1}/${p.shardCount}, ${p.examined} examined, ${p.migrated} migrated`, false),
    })
    await this.print(report, enc)
    if (report.verified === false) {
      throw new StrataError(ErrorCode.CORRUPTION, `the migration's check failed: ${report.digestBefore !== report.digestAfter ? 'the digests differ' : `${report.belowVersion - report.failed} records below version ${report.toVersion}, ${report.invalid} invalid`}`)
    }
  }

  private async print(r: MigrateReport, enc: Encoding): Promise<void> {
    const out = this.output
    const key = (k: Buffer): {key: string; keyEncoding: string} => {
      const j = formatJson(k, enc)
      return {key: j.text, keyEncoding: j.encoding}
    }
    const doc = {
      schema: r.schema, toVersion: r.toVersion, dryRun: r.dryRun, resumed: r.resumed, aborted: r.aborted, examined: r.examined, migrated: r.migrated, failed: r.failed,
      failures: r.failures.map((f) => ({...key(f.key), version: f.version, reason: f.reason})),
      shards: r.shards, samples: r.samples.map((s) => ({...key(s.key), version: s.version, before: s.before, after: s.after})),
      digestBefore: r.digestBefore, digestAfter: r.digestAfter, belowVersion: r.belowVersion, invalid: r.invalid, verified: r.verified,
    }
    if (out.format === 'json') return out.json(doc)
    if (out.format === 'ndjson') return out.ndjson(doc)
    const target = `${r.schema}@${r.toVersion}`
    if (r.aborted || (r.examined === 0 && r.digestAfter === null && !r.dryRun)) {
      await out.line(r.aborted ? `dropped the unfinished migration to ${target}` : `no unfinished migration to ${target} to drop`)
      return
    }
    if (r.dryRun) {
      await out.line(`dry run: ${r.migrated} of ${r.examined} records of ${r.schema} would be rewritten to version ${r.toVersion}, ${r.failed} would fail`)
      for (const s of r.shards) for (const v of s.versions) await out.line(`  shard ${s.shard} version ${v.version}: ${v.records} records, ${v.wouldChange} would change, ${v.failed} would fail`)
      for (const s of r.samples) await out.line(`  sample ${keyForMessage(s.key, enc)} @${s.version}: ${JSON.stringify(s.before)} -> ${JSON.stringify(s.after)}`)
    } else {
      await out.line(`${r.resumed ? 'resumed and finished' : 'finished'}: ${r.migrated} records of ${r.schema} rewritten to version ${r.toVersion}, ${r.failed} left at their version, ${r.examined} examined by this run`)
    }
    for (const f of r.failures) await out.line(`  ${r.dryRun ? 'would fail' : 'failed'}: ${keyForMessage(f.key, enc)} @${f.version}: ${f.reason}`)
    await out.line(`digest of the upgraded view before: ${r.digestBefore ?? '-'}`)
    if (!r.dryRun) {
      await out.line(`digest of the stored records after: ${r.digestAfter ?? '-'} (${r.digestBefore === r.digestAfter ? 'equal' : 'DIFFERENT'})`)
      await out.line(`records of ${r.schema} below version ${r.toVersion}: ${r.belowVersion} (the ${r.failed} left); invalid at version ${r.toVersion}: ${r.invalid}; check ${r.verified ? 'passed' : 'FAILED'}`)
    }
  }
}
