export function summarize(samples: number[]) {
  const s = samples.slice().sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
  return { n: s.length, median: q(0.5), p95: q(0.95), p99: q(0.99), min: s[0], max: s[s.length - 1] };
}

export function row(label: string, samples: number[], unit = 'ms'): string {
  const r = summarize(samples);
  const f = (x: number) => x.toFixed(x < 10 ? 2 : 1);
  return `${label.padEnd(48)} n=${String(r.n).padStart(5)}  median ${f(r.median)} ${unit}  p95 ${f(r.p95)}  p99 ${f(r.p99)}  max ${f(r.max)}`;
}
