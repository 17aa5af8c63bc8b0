/** In-process specifics: process lifetime (unref'd timers), close(), payload isolation. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createInProcessQueue } from '../../src/jobs/in-process-queue.ts';
import { recordingLogger, sleep } from './helpers.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function runFixture(name: string): Promise<{ code: number | null; stdout: string; ms: number }> {
  const file = fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', file],
      { cwd: ROOT, timeout: 15_000 },
      (err, stdout, stderr) => {
        if (err?.killed) reject(new Error(`fixture ${name} did not exit (killed after 15 s)\n${stderr}`));
        else
          resolve({
            code: err ? (typeof err.code === 'number' ? err.code : 1) : 0,
            stdout,
            ms: Date.now() - t0,
          });
      },
    );
  });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('in-process job queue', () => {
  it('does not keep a CLI alive: schedules and delayed jobs use unref timers', async () => {
    const r = await runFixture('cli-schedule-no-close.mts');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ran'); // the schedule's immediate first run happened
    expect(r.ms).toBeLessThan(10_000); // not the 60 s delayed job
  });

  it('awaiting drain() keeps the process alive until delayed work has run', async () => {
    const r = await runFixture('cli-drain.mts');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/dispatched late\ndrained after \d+ ms/);
    const ms = Number(/drained after (\d+) ms/.exec(r.stdout)?.[1]);
    expect(ms).toBeGreaterThanOrEqual(290);
  });

  it('close() clears its schedule timers', async () => {
    const setSpy = vi.spyOn(globalThis, 'setInterval');
    const clearSpy = vi.spyOn(globalThis, 'clearInterval');
    const q = createInProcessQueue({ logger: recordingLogger() });
    await q.schedule('decay.sweep', {}, 1000);
    await q.schedule('outbox.sweep', {}, 1000);
    const timers = setSpy.mock.results.map((r) => r.value);
    expect(timers).toHaveLength(2);
    await q.close();
    const cleared = clearSpy.mock.calls.map((c) => c[0]);
    for (const t of timers) expect(cleared).toContain(t);
  });

  it('close() drops jobs that have not started, logs how many, and fails a pending drain', async () => {
    const log = recordingLogger();
    const q = createInProcessQueue({ logger: log });
    await q.enqueue('outbox.sweep', {});
    await q.enqueue('outbox.dispatch', { outboxId: 'a' }, { delayMs: 10_000 });
    const draining = q.drain(5000);
    await q.close();
    await expect(draining).rejects.toThrow(/closed with 2 job\(s\) not run/);
    expect(log.at('warn')).toEqual([expect.objectContaining({ obj: { dropped: 2 } })]);
    await q.drain(100); // nothing left
  });

  it('stores a snapshot of the payload: mutating the object after enqueue changes nothing', async () => {
    const q = createInProcessQueue({ logger: recordingLogger() });
    const seen: string[] = [];
    const payload = { outboxId: 'original' };
    await q.enqueue('outbox.dispatch', payload);
    payload.outboxId = 'mutated';
    await q.startWorker({
      'outbox.dispatch': async (p) => {
        seen.push(p.outboxId);
      },
    });
    await q.drain(2000);
    expect(seen).toEqual(['original']);
    await q.close();
  });

  it('a worker that was never started leaves jobs waiting; starting it later runs them', async () => {
    const q = createInProcessQueue({ logger: recordingLogger() });
    let runs = 0;
    await q.enqueue('outbox.sweep', {});
    await sleep(50);
    await expect(q.drain(50)).rejects.toThrow(/1 waiting, 0 delayed, 0 active \(no worker started\)/);
    await q.startWorker({
      'outbox.sweep': async () => {
        runs += 1;
      },
    });
    await q.drain(2000);
    expect(runs).toBe(1);
    await q.close();
  });
});
