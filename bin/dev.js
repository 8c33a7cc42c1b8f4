#!/usr/bin/env node
import {fileURLToPath} from 'node:url'
import {execute} from '@oclif/core'

// No user plugins (see run.js).
await execute({development: true, loadOptions: {root: fileURLToPath(import.meta.url), userPlugins: false}})
