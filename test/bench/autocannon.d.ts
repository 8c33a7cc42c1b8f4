/** The part of autocannon (which ships no types) that the serve workload uses. */
declare module 'autocannon' {
  export interface Result {
    requests: {total: number}
    non2xx: number
    errors: number
    timeouts: number
    /** Seconds the run took. */
    duration: number
  }
  function autocannon(options: object): Promise<Result>
  export default autocannon
}
