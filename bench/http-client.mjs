// The benchmark's HTTP producers, in a worker thread: like a real integration, the load
// generator does not share the server's event loop. Posts every body (with `concurrency`
// requests in flight) and reports per-request latency and per-item status counts.
import { parentPort, workerData } from 'node:worker_threads';

const { url, key, bodies, concurrency } = workerData;
const latencies = [];
const counts = { accepted: 0, duplicate: 0, rejected: 0 };
let next = 0;
async function client() {
  for (let b = next++; b < bodies.length; b = next++) {
    const s = performance.now();
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: bodies[b],
    });
    const out = await res.json();
    if (!out.results) throw new Error(`batch ${b} answered ${res.status}: ${JSON.stringify(out)}`);
    latencies.push(performance.now() - s);
    for (const r of out.results) counts[r.status]++;
    if (res.status !== 200) throw new Error(`batch ${b} answered ${res.status}`);
  }
}
const t0 = performance.now();
await Promise.all(Array.from({ length: concurrency }, client));
parentPort.postMessage({ elapsed: performance.now() - t0, latencies, counts });
