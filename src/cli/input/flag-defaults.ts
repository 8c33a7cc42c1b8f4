/**
 * Defaults of the flags several commands share, as plain data: the oclif
 * flag builders (base-command.ts, common-flags.ts) and the lean `get` parser
 * (fast-get/get-flags.ts), which must not load oclif, read them from here.
 */

/** --dir: from $STRATA_DIR, else ./data. */
export const DIR_ENV = 'STRATA_DIR'
export const DEFAULT_DIR = './data'

/** --key-encoding and --value-encoding. */
export const DEFAULT_ENCODING = 'utf8' as const

/** --cache-size of a reading command. */
export const DEFAULT_CACHE_SIZE = '8MiB'
