/**
 * `put --file` and `put --batch` read any readable file, not only regular
 * ones: a FIFO written by another process, a character device (/dev/null,
 * /dev/zero) and bash's process substitution `<(cmd)`. The 64 MiB value limit
 * still holds when the size is not known before reading: an endless or
 * oversized stream is refused with exit 2 and the data directory unchanged.
 * A directory is refused with exit 2.
 */
import test, {type ExecutionContext} from 'ava'
import {spawn, spawnSync} from 'node:child_process'
import {join} from 'node:path'
import {assertError, BIN, newStore, strata, treeHash} from './helpers.js'

/** Runs a bash command line with `strata` meaning this CLI (for `<(…)`, which needs bash). */
function bash(line: string): {code: number | null; stdout: string; stderr: string} {
  const env: NodeJS.ProcessEnv = {...process.env, CI: 'true', OCLIF_SKIP_NEW_VERSION_CHECK: 'true'}
  delete env.STRATA_DIR
  const r = spawnSync('bash', ['-c', `strata() { ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"; }\n${line}`], {env, encoding: 'utf8', maxBuffer: 1 << 26})
  return {code: r.status, stdout: r.stdout, stderr: r.stderr}
}

/**
 * Makes a FIFO and starts a separate process that writes `text` into it.
 * `finished()` is the writer's exit status once the reader has taken
 * everything, or 'blocked' (and the writer is killed) if no reader did
 * within a few seconds. A writer still blocked when the test ends (a failed
 * assertion ends it early) is killed then.
 */
function fifoFedBy(t: ExecutionContext, dir: string, text: string): {path: string; finished: () => Promise<number | null | 'blocked'>} {
  const path = join(dir, 'input.fifo')
  const made = spawnSync('mkfifo', [path])
  if (made.status !== 0) throw new Error(`mkfifo failed: ${made.stderr}`)
  const writer = spawn('sh', ['-c', 'printf "%s" "$1" > "$2"', 'sh', text, path], {stdio: 'ignore'})
  const exited = new Promise<number | null>((resolve) => writer.on('close', resolve))
  t.teardown(() => {
    if (writer.exitCode === null && writer.signalCode === null) writer.kill()
  })
  const finished = async (): Promise<number | null | 'blocked'> => {
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<'blocked'>((resolve) => (timer = setTimeout(() => resolve('blocked'), 5000)))
    const result = await Promise.race([exited, late])
    clearTimeout(timer)
    if (result === 'blocked') writer.kill()
    return result
  }
  return {path, finished}
}

test('put --file reads a FIFO written by another process', async (t) => {
  const dir = await newStore(t)
  const fifo = fifoFedBy(t, join(dir, '..'), 'from a fifo')
  const r = await strata(['put', '--dir', dir, 'k', '--file', fifo.path])
  t.is(r.code, 0, r.stderr)
  t.is(await fifo.finished(), 0, 'the writer delivered everything')
  t.is((await strata(['get', '--dir', dir, 'k'])).stdout, 'from a fifo\n')
})

test('put --batch reads a FIFO written by another process', async (t) => {
  const dir = await newStore(t)
  const fifo = fifoFedBy(t, join(dir, '..'), '{"key":"a","value":"1"}\n{"key":"b","value":"2"}\n')
  const r = await strata(['put', '--dir', dir, '--batch', fifo.path, '--format', 'json'])
  t.is(r.code, 0, r.stderr)
  t.is(await fifo.finished(), 0, 'the writer delivered everything')
  t.like(JSON.parse(r.stdout), {puts: 2, lines: 2})
  t.is((await strata(['scan', '--dir', dir])).stdout, 'a\t1\nb\t2\n')
})

test('/dev/null is an empty value, and an empty --batch', async (t) => {
  const dir = await newStore(t)
  const put = await strata(['put', '--dir', dir, 'empty', '--file', '/dev/null'])
  t.is(put.code, 0, put.stderr)
  const got = await strata(['get', '--dir', dir, 'empty', '--raw'])
  t.is(got.code, 0, got.stderr)
  t.is(got.stdoutBytes.length, 0)
  const batch = await strata(['put', '--dir', dir, '--batch', '/dev/null', '--format', 'json'])
  t.is(batch.code, 0, batch.stderr)
  t.like(JSON.parse(batch.stdout), {puts: 0, deletes: 0, lines: 0, chunks: 0})
})

test('process substitution <(cmd) works for --file and --batch', async (t) => {
  const dir = await newStore(t)
  const file = bash(`strata put --dir '${dir}' k --file <(printf 'sub\\000stituted')`)
  t.is(file.code, 0, file.stderr)
  const batch = bash(`strata put --dir '${dir}' --batch <(printf '{"key":"x","value":"1"}\\n{"key":"k2","value":"2"}\\n')`)
  t.is(batch.code, 0, batch.stderr)
  t.deepEqual((await strata(['get', '--dir', dir, 'k', '--raw'])).stdoutBytes, Buffer.from('sub\0stituted'))
  t.is((await strata(['scan', '--dir', dir, '--keys-only'])).stdout, 'k\nk2\nx\n')
})

test('a stream over 64 MiB is refused while reading, with nothing written', async (t) => {
  const dir = await newStore(t)
  await strata(['put', '--dir', dir, 'kept', 'v'])
  const before = treeHash(dir)
  // An endless device, and a pipe one byte over the limit.
  const zero = await strata(['put', '--dir', dir, 'big', '--file', '/dev/zero'])
  assertError(t, zero, 'INVALID_ARGUMENT', 2)
  const over = bash(`strata put --dir '${dir}' big --file <(head -c ${64 * 1024 * 1024 + 1} /dev/zero)`)
  t.is(over.code, 2, over.stderr)
  t.regex(over.stderr, /^strata: error INVALID_ARGUMENT: /)
  // A --batch line whose value is one byte over the limit, through a pipe.
  const line = bash(`strata put --dir '${dir}' --batch <(printf '{"key":"big","value":"'; head -c ${64 * 1024 * 1024 + 1} /dev/zero | tr '\\000' a; printf '"}\\n')`)
  t.is(line.code, 2, line.stderr)
  t.regex(line.stderr, /^strata: error INVALID_ARGUMENT: /)
  t.deepEqual(treeHash(dir), before, 'the data directory is unchanged')
})

test('a directory as --file or --batch is refused with exit 2 and nothing written', async (t) => {
  const dir = await newStore(t)
  const before = treeHash(dir)
  assertError(t, await strata(['put', '--dir', dir, 'k', '--file', dir]), 'INVALID_ARGUMENT', 2)
  assertError(t, await strata(['put', '--dir', dir, '--batch', dir]), 'INVALID_ARGUMENT', 2)
  t.deepEqual(treeHash(dir), before)
})
