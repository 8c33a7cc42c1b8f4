/**
 * Decoder fuzzing (LevelDB's corruption_test, the OSS-Fuzz targets of
 * storage engines): random and mutated bytes to every decoder — the
 * engine's decodeWal, TableReader, decodeManifest, decodeDescriptor and
 * decodeEntry, and the Kaitai facade's parseWal, parseSstable,
 * parseManifest and parseStore — plus whole store directories with one
 * damaged file, to verify and to a read-only open and scan. Every input
 * must end in success or a StrataError CORRUPTION (UNSUPPORTED for a newer
 * version; NOT_A_STORE for a directory whose STORE is gone): never an
 * escaped RangeError or TypeError, never a hang, never an allocation far
 * beyond the input's size.
 *
 * The inputs run in worker threads (two halves, one per core), watched for
 * hangs: if an input makes no progress for 20 s the worker is killed and the
 * input named. STRATA_FUZZ_INPUTS sets the total (default 20000).
 */
import test, {type ExecutionContext} from 'ava'
import {Worker} from 'node:worker_threads'
import {envCount, printSeedOnFailure, reproduce, seedFor} from './lib/seed.js'
import {memRoot} from './lib/stores.js'
import type {FuzzJob, FuzzReport} from './lib/fuzz-worker.js'

const INPUTS = envCount('STRATA_FUZZ_INPUTS', 20_000)
const HANG_MS = 20_000

function runWorker(job: Omit<FuzzJob, 'progress' | 'current'>): Promise<FuzzReport | {hang: string} | {crashed: string}> {
  const progress = new SharedArrayBuffer(4)
  const current = new SharedArrayBuffer(512)
  const worker = new Worker(new URL('./lib/fuzz-worker.js', import.meta.url), {workerData: {...job, progress, current}})
  return new Promise((resolve, reject) => {
    let last = -1
    let lastChange = Date.now()
    const timer = setInterval(() => {
      const done = Atomics.load(new Int32Array(progress), 0)
      if (done !== last) {
        last = done
        lastChange = Date.now()
      } else if (Date.now() - lastChange > HANG_MS) {
        clearInterval(timer)
        const what = Buffer.from(new Uint8Array(current)).toString('utf8').replace(/\0+$/, '')
        void worker.terminate()
        resolve({hang: `no progress for ${HANG_MS / 1000} s at ${what}`})
      }
    }, 1000)
    worker.once('message', (m: FuzzReport | {crashed: string}) => {
      clearInterval(timer)
      void worker.terminate()
      resolve(m)
    })
    worker.once('error', (err) => {
      clearInterval(timer)
      reject(err)
    })
  })
}

async function fuzz(t: ExecutionContext, part: number, parts: number): Promise<void> {
  printSeedOnFailure(t, () => `fuzz part ${part}`)
  const inputs = Math.ceil(INPUTS / parts)
  const result = await runWorker({seed: seedFor('fuzz', part), inputs, storeInputs: Math.max(50, Math.floor(inputs / 40)), root: memRoot('fuzz')})
  if ('hang' in result) return void t.fail(`${result.hang} — ${reproduce(`fuzz part ${part}`)}`)
  if ('crashed' in result) return void t.fail(`the fuzz worker crashed: ${result.crashed}`)
  const lines = Object.entries(result.byDecoder).map(([d, c]) => `${d}: ${c.ok} ok, ${c.corruption} corruption, ${c.unsupported} unsupported`)
  t.log(`${result.inputs} inputs, ${result.decodes} decodes\n${lines.join('\n')}`)
  for (const f of result.failures) t.fail(`input #${f.input} (${f.how}) in ${f.decoder}: ${f.problem}; first bytes ${f.head} — ${reproduce(`fuzz part ${part}`)}`)
  if (result.failureCount > result.failures.length) t.fail(`… and ${result.failureCount - result.failures.length} more`)
  t.true(result.inputs >= inputs)
  for (const c of Object.values(result.byDecoder)) t.true(c.corruption > 0, 'every decoder saw damage')
}

test('decoder fuzzing, first half: every input ends in success or a typed CORRUPTION/UNSUPPORTED error', (t) => fuzz(t, 0, 2))

test('decoder fuzzing, second half: every input ends in success or a typed CORRUPTION/UNSUPPORTED error', (t) => fuzz(t, 1, 2))
