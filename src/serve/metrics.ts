/**
 * The server's metrics, in the Prometheus text exposition format (version
 * 0.0.4) at GET /metrics. Names (stable):
 *
 *   strata_http_requests_total{route,method,status}     counter
 *   strata_http_request_duration_seconds{route}         histogram
 *   strata_http_request_bytes_total{route}              counter (bytes received)
 *   strata_http_response_bytes_total{route}             counter (bytes sent)
 *   strata_http_requests_in_flight                      gauge
 *   strata_store_flushes_total, strata_store_compactions_total   counters (since the store was opened)
 *   strata_store_*                                      gauges read from the store's stats at scrape time
 *   strata_replica_lag_seconds, strata_replica_cut, strata_replica_degraded   gauges of a read replica
 *
 * Labels hold only route labels, methods and statuses (a fixed, small set),
 * never keys.
 */

/** Upper bounds of the latency histogram's buckets, in seconds. */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** One sample read from the store at scrape time. */
export interface StoreSample {
  readonly name: string
  readonly help: string
  readonly value: number
  /** Default gauge. */
  readonly type?: 'gauge' | 'counter'
}

interface Histogram {
  /** Observations per bucket, not cumulative (summed up when rendered); the last slot is above every bound. */
  readonly counts: number[]
  sum: number
  count: number
}

/** Counters and histograms of one server. */
export class Metrics {
  private readonly requests = new Map<string, number>()
  private readonly latency = new Map<string, Histogram>()
  private readonly bytesIn = new Map<string, number>()
  private readonly bytesOut = new Map<string, number>()
  inFlight = 0

  /** Records one finished request. */
  observe(route: string, method: string, status: number, seconds: number, bytesIn: number, bytesOut: number): void {
    const key = `route="${route}",method="${method}",status="${status}"`
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1)
    let h = this.latency.get(route)
    if (h === undefined) this.latency.set(route, (h = {counts: new Array<number>(BUCKETS.length + 1).fill(0), sum: 0, count: 0}))
    let b = 0
    while (b < BUCKETS.length && seconds > BUCKETS[b]) b++
    h.counts[b]++
    h.sum += seconds
    h.count++
    this.bytesIn.set(route, (this.bytesIn.get(route) ?? 0) + bytesIn)
    this.bytesOut.set(route, (this.bytesOut.get(route) ?? 0) + bytesOut)
  }

  /** The text exposition, with the store's `samples` appended. */
  render(samples: ReadonlyArray<StoreSample>): string {
    const out: string[] = []
    const family = (name: string, type: string, help: string): void => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`)
    }
    family('strata_http_requests_total', 'counter', 'HTTP requests answered, by route, method and status.')
    for (const [labels, n] of this.requests) out.push(`strata_http_requests_total{${labels}} ${n}`)
    family('strata_http_request_duration_seconds', 'histogram', 'Time from a request\'s arrival to the end of its answer.')
    for (const [route, h] of this.latency) {
      let cumulative = 0
      BUCKETS.forEach((le, i) => out.push(`strata_http_request_duration_seconds_bucket{route="${route}",le="${le}"} ${(cumulative += h.counts[i])}`))
      out.push(`strata_http_request_duration_seconds_bucket{route="${route}",le="+Inf"} ${h.count}`)
      out.push(`strata_http_request_duration_seconds_sum{route="${route}"} ${h.sum}`, `strata_http_request_duration_seconds_count{route="${route}"} ${h.count}`)
    }
    family('strata_http_request_bytes_total', 'counter', 'Request body bytes received.')
    for (const [route, n] of this.bytesIn) out.push(`strata_http_request_bytes_total{route="${route}"} ${n}`)
    family('strata_http_response_bytes_total', 'counter', 'Response bytes sent (headers included).')
    for (const [route, n] of this.bytesOut) out.push(`strata_http_response_bytes_total{route="${route}"} ${n}`)
    family('strata_http_requests_in_flight', 'gauge', 'Requests being handled.')
    out.push(`strata_http_requests_in_flight ${this.inFlight}`)
    for (const g of samples) {
      family(g.name, g.type ?? 'gauge', g.help)
      out.push(`${g.name} ${g.value}`)
    }
    return out.join('\n') + '\n'
  }
}
