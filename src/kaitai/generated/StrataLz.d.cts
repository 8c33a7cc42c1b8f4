// Types of ./StrataLz.cjs, the custom processor of `process: strata_lz`. Generated; do not edit.
export declare class StrataLz {
  static maxOutput: number
  decode(data: Uint8Array): Uint8Array
}
