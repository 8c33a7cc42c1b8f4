/**
 * Value schemas: the versioned registry in DIR/schemas/, validated writes,
 * the lazy upgrade of older records on read, and the migration that rewrites
 * them (src/migrate).
 */
export {registerSchema} from './register.js'
export type {SchemaRegistration, RegisterOptions, RegisterResult} from './register.js'
export {readRegistry, parseSchemaSpec, SchemaRegistry} from './registry.js'
export type {SchemaEntry} from './registry.js'
export {SchemaView} from './upgrade.js'
export type {UpgradeResult} from './upgrade.js'
export {applyChanges, ConversionFailure} from './changes.js'
export {convertValue} from './convert.js'
export {compatibilityProblems} from './compatibility.js'
export {COMPATIBILITY_MODES, RETYPE_TARGETS, DEFAULT_COMPATIBILITY} from './format.js'
export type {Compatibility, RetypeTarget, SchemaChange, SchemaVersion} from './format.js'
