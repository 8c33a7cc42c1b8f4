/**
 * Keeps the AWS SDK's advisory noise off the CLI's stderr. Under Node 20
 * the SDK announces (once per process, through process.emitWarning) that its
 * later releases will want Node 22: a notice for the SDK's maintainers, not a
 * problem of this run. The SDK documents a variable that turns exactly that
 * notice off; it is set here unless the user set it. Real failures are not
 * warnings: they reach strata as rejected requests and are reported as errors.
 */
const NODE_VERSION_NOTICE = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'

/** Call before the SDK is loaded. */
export function quietSdk(): void {
  if (process.env[NODE_VERSION_NOTICE] === undefined) process.env[NODE_VERSION_NOTICE] = 'true'
}
