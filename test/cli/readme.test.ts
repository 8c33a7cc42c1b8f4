/**
 * Every command the README shows in its session and command sections runs as
 * written, in README order, in one scratch directory and one bash process
 * (so `echo $?` and files made by one step are seen by the next), with
 * `strata` (and `npx strata`) being this checkout's CLI. Each must exit 0
 * unless the README shows it failing (an `error CODE:` line in its output, or
 * an `echo $?` after it, whose shown output then pins the exit code);
 * where the README shows output, the output (stdout and stderr as a terminal
 * shows them, interleaved) must match it once the parts the README says vary
 * are normalised. The README is read when the test runs, so edits to it are
 * checked as they are made.
 */
import test from 'ava'
import {spawnSync} from 'node:child_process'
import {chmodSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {BIN, ROOT, tempDir} from './helpers.js'
import {readmeSteps, type ReadmeStep} from './readme-steps.js'

/** Separates the steps' outputs in the one bash transcript. */
const MARK = '\u001eSTEP-END'

/**
 * Output parts the README documents as varying from run to run: expiry
 * instants (ms since the epoch: "yours will differ") and ISO 8601 times.
 * Trailing spaces and trailing blank lines are not significant.
 */
export function normalise(lines: readonly string[]): string {
  const out = lines.map((l) =>
    l
      .replaceAll(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)/g, '<time>')
      .replaceAll(/\b1\d{12}\b/g, '<ms>')
      .trimEnd(),
  )
  while (out.length > 0 && out.at(-1) === '') out.pop()
  return out.join('\n')
}

/** A bash script running every step, each followed by a marker line carrying its exit status. */
function script(steps: readonly ReadmeStep[]): string {
  const body = steps.map((s) => `{ ${s.command}\n} 2>&1 </dev/null\n__rc=$?\nprintf '\\n${MARK} %d\\n' "$__rc"\n(exit "$__rc")\n`)
  // `npx strata` outside a clone would fetch an unrelated package: here it is this CLI.
  return ['set -o pipefail', 'npx() { if [ "$1" = strata ]; then shift; strata "$@"; else command npx "$@"; fi; }', ...body].join('\n')
}

test('every command in the README session and command sections runs as shown', (t) => {
  const steps = readmeSteps(readFileSync(join(ROOT, 'README.md'), 'utf8'))
  const sessionSteps = steps.filter((s) => s.section === 'A session')
  t.true(sessionSteps.length >= 10, `found ${sessionSteps.length} session commands`)
  t.true(steps.length > sessionSteps.length, 'the command sections have examples too')

  const cwd = tempDir(t)
  const bin = join(cwd, '.bin')
  mkdirSync(bin)
  writeFileSync(join(bin, 'strata'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"\n`)
  chmodSync(join(bin, 'strata'), 0o755)
  const scriptPath = join(bin, 'readme.sh')
  writeFileSync(scriptPath, script(steps))
  const env: NodeJS.ProcessEnv = {...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, CI: 'true', NO_COLOR: '1', OCLIF_SKIP_NEW_VERSION_CHECK: 'true'}
  delete env.STRATA_DIR
  delete env.NODE_OPTIONS
  const r = spawnSync('bash', [scriptPath], {cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 240_000})
  t.is(r.error, undefined)

  const pieces = r.stdout.split(new RegExp(`\\n${MARK} (\\d+)\\n`))
  // [out0, rc0, out1, rc1, ..., rest]
  t.is((pieces.length - 1) / 2, steps.length, `every step ran\n${r.stdout}\n${r.stderr}`)
  for (const [i, step] of steps.entries()) {
    const output = pieces[2 * i] ?? ''
    const status = Number(pieces[2 * i + 1])
    const where = `README "${step.section}": ${step.command}\n--- printed (exit ${status}):\n${output}`
    // A failure is shown by an error line, or by an `echo $?` right after (whose output pins the code).
    const failureShown = (step.output?.some((l) => /\berror [A-Z_]+:/.test(l)) ?? false) || steps[i + 1]?.command.trim() === 'echo $?'
    if (failureShown) t.not(status, 0, where)
    else t.is(status, 0, where)
    if (step.output !== undefined) t.is(normalise(output.split('\n')), normalise(step.output), where)
  }
})
