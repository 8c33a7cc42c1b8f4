import {ErrorCode, verifyStore, type VerifyFinding, type VerifyReport} from '../src/index.js'
import {CliError, Flags, Progress, StrataCommand, progressFlag} from '../src/cli/index.js'

/**
 * JSON output: the VerifyReport (src/verify/report.ts): {"dir", "ok", "quick", "strict", "maxErrors",
 * "stopped", "summary": {"shards", "files", "tables", "wals", "manifests", "entries", "errors", "warnings"},
 * "checks": [{"id", "description", "errors", "warnings", "skipped"}...],
 * "findings": [{"check", "severity", "file", "offset", "keyRange"?: {"first", "last", "encoding"}, "message"}...]}.
 * NDJSON: one {"type": "finding", ...} line per finding, then {"type": "report", ...the report without findings}.
 */
export default class Verify extends StrataCommand {
  static override summary = 'Check every file of a store against named invariants; exit 3 if anything is corrupt.'
  static override description = `Decodes STORE, each shard's CURRENT and manifest, the live WAL and every SSTable through the parsers generated from the Kaitai specs in formats/, recomputes every checksum, and checks these invariants:

  store.descriptor   STORE decodes and its checksum holds; the shard directories match it
  manifest.replay    CURRENT names a sound manifest; every file it lists exists with the listed size; unlisted files are orphans (warnings)
  wal.crc            every WAL header and record frame holds its checksum and decodes
  wal.torn-tail      an incomplete record at a WAL's end, which the next writer drops (warning)
  wal.seq-order      WAL sequence numbers increase strictly, above the manifest's last_seq
  sst.footer         magic, footer checksum, format version, meta-block layout
  sst.block-crc      every block's checksum holds and its contents decode
  sst.key-order      keys increase strictly within and across blocks, inside their index ranges
  sst.index          blocks end to end, index keys are the blocks' last keys, restart arrays are right
  sst.bloom          every key passes its table's own bloom filter
  sst.properties     the properties block matches the data, and the manifest matches the properties
  shard.placement    every key hashes to the shard that holds it

Each finding names the check, its severity, the file (relative to the data directory), the byte offset inside the damaged record or block, the keys involved where known, and what is wrong.

Exit codes: 0 when no check fails (warnings allowed unless --strict), 3 when any error is found (or, with --strict, any warning), 2 when the directory is not a store. --quick checks structure and metadata checksums (STORE, manifests, WAL frames, table footers, indexes, filters, properties) but not the data blocks. verify only reads: it takes no lock, changes nothing, and can run while another process writes. Progress goes to stderr when it is a terminal (or with --progress).`

  static override examples = [
    {description: 'Check the store in $STRATA_DIR (or ./data).', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Check structure and metadata only, quickly.', command: '<%= config.bin %> <%= command.id %> --quick'},
    {description: 'The JSON report for CI; warnings fail too.', command: '<%= config.bin %> <%= command.id %> --format json --strict'},
    {description: 'Stop at the first 10 errors.', command: '<%= config.bin %> <%= command.id %> --max-errors 10'},
  ]

  static override flags = {
    quick: Flags.boolean({summary: 'Check structure and metadata checksums only, not every data block.'}),
    strict: Flags.boolean({summary: 'Fail (exit 3) on warnings too: torn WAL tails, orphan files.'}),
    'max-errors': Flags.integer({summary: 'Stop after this many errors (the report says it stopped).', min: 1, helpValue: 'N'}),
    progress: progressFlag,
  }

  async run(): Promise<void> {
    const {flags} = await this.parseCommand(Verify)
    const out = this.output
    const progress = new Progress(out, flags.progress)
    const onProgress = progress.enabled
      ? (done: number, total: number, file: string): void => progress.update(`verify: ${done}/${total} files checked (${file})`, done === total)
      : undefined
    const report = verifyStore(flags.dir, {
      quick: flags.quick,
      strict: flags.strict,
      ...(flags['max-errors'] === undefined ? {} : {maxErrors: flags['max-errors']}),
      ...(onProgress === undefined ? {} : {onProgress}),
    })
    progress.done(`verify: done, ${report.summary.files} files checked`)
    await this.print(report)
    if (report.ok) return
    const {errors, warnings} = report.summary
    const first = report.findings.find((f) => f.severity === 'error') ?? report.findings[0]
    const counted = errors > 0 ? `${errors} error${errors === 1 ? '' : 's'}` : `${warnings} warning${warnings === 1 ? '' : 's'} (--strict)`
    throw new CliError(ErrorCode.CORRUPTION, `verify found ${counted}; first: ${first.check} in ${first.file} at byte ${first.offset}: ${first.message}`)
  }

  private async print(report: VerifyReport): Promise<void> {
    const out = this.output
    if (out.format === 'json') return out.json(report)
    if (out.format === 'ndjson') {
      for (const f of report.findings) await out.ndjson({type: 'finding', ...f})
      const {findings: _findings, ...rest} = report
      await out.ndjson({type: 'report', ...rest})
      return
    }
    const c = out.color
    const severity = (f: VerifyFinding): string => (f.severity === 'error' ? c.red('error') : c.yellow('warning'))
    const keys = (f: VerifyFinding): string => {
      const k = f.keyRange
      if (k === undefined) return ''
      const show = (s: string): string => (k.encoding === 'hex' ? `0x${s}` : JSON.stringify(s))
      return k.first === k.last ? `key ${show(k.first)}` : `keys ${show(k.first)}..${show(k.last)}`
    }
    if (out.format === 'table') {
      if (report.findings.length > 0) {
        await out.table(
          ['SEVERITY', 'CHECK', 'FILE', 'OFFSET', 'KEYS', 'MESSAGE'],
          report.findings.map((f) => [severity(f), f.check, f.file, String(f.offset), keys(f), f.message]),
          {align: ['left', 'left', 'left', 'right', 'left', 'left']},
        )
      }
    } else {
      for (const f of report.findings) {
        const k = keys(f)
        await out.line(`${severity(f)} ${f.check} ${f.file} @${f.offset}: ${f.message}${k === '' ? '' : ` [${k}]`}`)
      }
    }
    const s = report.summary
    const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`
    const verdict = report.ok ? c.green('OK') : c.red('FAILED')
    await out.line(`verify ${report.dir}: ${verdict}: ${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}${report.strict ? ' (--strict: warnings fail)' : ''}`)
    await out.line(`  checked ${plural(s.shards, 'shard')}, ${plural(s.files, 'file')} (${plural(s.tables, 'table')}, ${plural(s.wals, 'WAL')}, ${plural(s.manifests, 'manifest')}), ${plural(s.entries, 'entry').replace(/entrys$/, 'entries')}`)
    const failing = report.checks.filter((ch) => ch.errors + ch.warnings > 0)
    if (failing.length > 0) {
      await out.line(`  findings by check: ${failing.map((ch) => `${ch.id} (${[ch.errors > 0 ? plural(ch.errors, 'error') : '', ch.warnings > 0 ? plural(ch.warnings, 'warning') : ''].filter(Boolean).join(', ')})`).join(', ')}`)
    }
    if (report.quick) await out.line('  --quick: data blocks were not read')
    if (report.stopped) await out.line(`  stopped after ${plural(report.maxErrors ?? s.errors, 'error')} (--max-errors): later files were not checked`)
  }
}
