/**
 * Child-process entry of the benchmark: runs one workload for one engine and
 * prints one line, `BENCH-RESULT {json}` or `BENCH-ERROR {json}` (exit 1).
 * Usage (by run.ts): node dist/test/bench/worker.js '<WorkloadSpec as JSON>'
 */
import {runWorkload} from './workloads.js'
import {BenchCheckError, ERROR_PREFIX, RESULT_PREFIX, type WorkloadSpec} from './spec.js'

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '') as WorkloadSpec
  try {
    const result = await runWorkload(spec)
    process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`)
  } catch (err) {
    const e = err as Error & {code?: string}
    const doc = {check: err instanceof BenchCheckError, message: e.message, code: e.code ?? null, stack: e.stack ?? null}
    process.stdout.write(`${ERROR_PREFIX}${JSON.stringify(doc)}\n`)
    process.exitCode = 1
  }
}

await main()
