/**
 * The server's counters in Prometheus' text exposition format (version 0.0.4): requests by route,
 * method and status code, a latency histogram by route, predicted rows, and retraining outcomes.
 * Routes are the registered patterns (an unknown path counts as "unmatched"), so a client cannot
 * grow the label set.
 */

/** Upper bounds of the latency buckets, in seconds. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Histogram {
  buckets: number[];
  sum: number;
  count: number;
}

/** A label value as the format requires: backslash, double quote and newline escaped. */
function labelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labels(pairs: Record<string, string>): string {
  return `{${Object.entries(pairs)
    .map(([k, v]) => `${k}="${labelValue(v)}"`)
    .join(',')}}`;
}

export class ServerMetrics {
  private readonly requests = new Map<string, number>();
  private readonly latency = new Map<string, Histogram>();
  private readonly retrains = new Map<string, number>();
  private rows = 0;

  /** One answered request. */
  request(route: string, method: string, code: number, seconds: number): void {
    const key = labels({ route, method, code: String(code) });
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    let h = this.latency.get(route);
    if (!h) this.latency.set(route, (h = { buckets: LATENCY_BUCKETS.map(() => 0), sum: 0, count: 0 }));
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) if (seconds <= LATENCY_BUCKETS[i]) h.buckets[i]++;
    h.sum += seconds;
    h.count++;
  }

  predicted(rows: number): void {
    this.rows += rows;
  }

  /** A finished retraining: "swapped", "kept" (not better) or "failed". */
  retrained(outcome: 'swapped' | 'kept' | 'failed'): void {
    this.retrains.set(outcome, (this.retrains.get(outcome) ?? 0) + 1);
  }

  /** The exposition text. */
  text(): string {
    const out: string[] = [];
    out.push('# HELP native_mlp_requests_total HTTP requests answered, by route, method and status code.');
    out.push('# TYPE native_mlp_requests_total counter');
    for (const [key, n] of this.requests) out.push(`native_mlp_requests_total${key} ${n}`);
    out.push('# HELP native_mlp_request_errors_total HTTP requests answered with a 4xx or 5xx status, by route and status code.');
    out.push('# TYPE native_mlp_request_errors_total counter');
    for (const [key, n] of this.requests) {
      const code = /code="(\d+)"/.exec(key)![1];
      if (Number(code) >= 400) out.push(`native_mlp_request_errors_total${key} ${n}`);
    }
    out.push('# HELP native_mlp_request_duration_seconds Time from request to response, by route.');
    out.push('# TYPE native_mlp_request_duration_seconds histogram');
    for (const [route, h] of this.latency) {
      LATENCY_BUCKETS.forEach((le, i) =>
        out.push(`native_mlp_request_duration_seconds_bucket${labels({ route, le: String(le) })} ${h.buckets[i]}`),
      );
      out.push(`native_mlp_request_duration_seconds_bucket${labels({ route, le: '+Inf' })} ${h.count}`);
      out.push(`native_mlp_request_duration_seconds_sum${labels({ route })} ${h.sum}`);
      out.push(`native_mlp_request_duration_seconds_count${labels({ route })} ${h.count}`);
    }
    out.push('# HELP native_mlp_predicted_rows_total Rows predicted by POST /predict.');
    out.push('# TYPE native_mlp_predicted_rows_total counter');
    out.push(`native_mlp_predicted_rows_total ${this.rows}`);
    out.push('# HELP native_mlp_retrains_total Finished retrainings by outcome: swapped in, kept the previous model, or failed.');
    out.push('# TYPE native_mlp_retrains_total counter');
    for (const outcome of ['swapped', 'kept', 'failed'])
      out.push(`native_mlp_retrains_total${labels({ outcome })} ${this.retrains.get(outcome) ?? 0}`);
    return out.join('\n') + '\n';
  }
}
