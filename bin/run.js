#!/usr/bin/env node
// `strata get` with plain arguments skips loading oclif (most of start-up
// time); everything else, and any get it does not handle, goes to oclif.
// The build bundles that path into one file (dist/fast-get.mjs, built by
// `npm run build` from the same compiled modules), which saves Node resolving
// and loading each of its modules; a tree built by `tsc` alone has no bundle
// and runs the modules themselves.
let handled = false
if (process.argv[2] === 'get') {
  const {existsSync} = await import('node:fs')
  const bundle = new URL('../dist/fast-get.mjs', import.meta.url)
  const {tryFastGet} = await import(existsSync(bundle) ? bundle.href : '../dist/src/cli/fast-get/fast-path.js')
  handled = await tryFastGet(process.argv.slice(3))
}
if (!handled) {
  // oclif's run, without execute()'s trailing flush: a command flushes its own
  // output and reports a failed write (src/cli/oclif/finish.ts), and that flush's
  // empty write would turn a full stdout into a stack trace.
  // strata has no plugins: userPlugins false stops oclif reading
  // $HOME/.local/share/strata/package.json, which warns on every command
  // when HOME cannot be read.
  const {run, handle} = await import('@oclif/core')
  const {fileURLToPath} = await import('node:url')
  const {guardProcessStdout} = await import('../dist/src/cli/output/stdout-writer.js')
  guardProcessStdout()
  await run(process.argv.slice(2), {root: fileURLToPath(import.meta.url), userPlugins: false}).catch(handle)
}
