#!/usr/bin/env node
// `strata get` with plain arguments skips loading oclif (most of start-up
// time); everything else, and any get it does not handle, goes to oclif.
let handled = false
if (process.argv[2] === 'get') {
  const {tryFastGet} = await import('../dist/src/cli/fast-path.js')
  handled = await tryFastGet(process.argv.slice(3))
}
if (!handled) {
  const {execute} = await import('@oclif/core')
  const {fileURLToPath} = await import('node:url')
  // strata has no plugins: userPlugins false stops oclif reading
  // $HOME/.local/share/strata/package.json, which warns on every command
  // when HOME cannot be read.
  await execute({loadOptions: {root: fileURLToPath(import.meta.url), userPlugins: false}})
}
