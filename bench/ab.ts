/**
 * `npm run bench:ab [-- --base <git revision>] [-- --pairs N] [-- --json]`: the engine of the
 * working tree (B) against the engine of another revision (A, default HEAD), on the engine
 * benchmark's workload (bench/engine-run.ts), in one process, runs interleaved (A B, B A, …).
 *
 * Why: on this shared 2-core VM the same code measures anywhere between about 390,000 and
 * 630,000 events/s depending on the moment (neighbours, the host), so two `npm run bench`
 * processes run minutes apart cannot tell a 10% change from noise. Paired runs see the same
 * moment. Printed: each side's best and median run, the median of the per-pair speed ratios
 * (B/A > 1: the working tree is faster), and the ratio of the sums of per-batch minimum times
 * (each batch's fastest run: what the code costs with interference and GC pauses left out, so
 * it does not show a change in allocation). In A/A comparisons (no change) the per-batch
 * minimum ratio stayed within about ±0.05 of 1 and the median paired ratio within about ±0.15:
 * treat smaller differences as noise.
 *
 * The base revision's `src/scoring` and `src/parse` (all the core imports) are extracted with
 * `git archive` into a temporary folder; both sides compile the working tree's default model
 * with their own compiler, and both score the working tree's workload. A benchmark, not a test.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_MODEL_PATH } from '../src/domain/model-store.ts';
import type { ScoringModel } from '../src/scoring/compile.ts';
import * as current from '../src/scoring/index.ts';
import { type EngineUnderTest, engineWorkload, perSecond, timeEngineRun } from './engine-run.ts';

const args = process.argv.slice(2);
const arg = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const base = arg('--base') ?? 'HEAD';
const pairs = Number(arg('--pairs') ?? 10);
const json = args.includes('--json');
if (!Number.isInteger(pairs) || pairs < 2) {
  process.stderr.write('--pairs must be an integer ≥ 2\n');
  process.exit(2);
}

type CoreModule = EngineUnderTest & {
  parseModelText(text: string): { ok: true; model: ScoringModel } | { ok: false; errors: unknown[] };
};

const root = path.resolve(import.meta.dirname, '..');
const dir = mkdtempSync(path.join(tmpdir(), 'hotlead-ab-'));
try {
  let archive: Buffer;
  try {
    archive = execFileSync('git', ['archive', base, 'src/scoring', 'src/parse'], {
      cwd: root,
      maxBuffer: 1 << 28,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch {
    throw new Error(`git cannot read src/scoring and src/parse at revision "${base}"`);
  }
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  // ES modules like this package's, importing packages (zod, yaml) from this checkout.
  writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  const baseline = (await import(pathToFileURL(path.join(dir, 'src/scoring/index.ts')).href)) as CoreModule;

  const source = readFileSync(DEFAULT_MODEL_PATH, 'utf8');
  const compile = (core: CoreModule, side: string) => {
    const r = core.parseModelText(source);
    if (!r.ok) throw new Error(`the ${side} engine refuses the default model: ${JSON.stringify(r.errors)}`);
    return r.model;
  };
  const sides = [
    { name: `A (${base})`, engine: baseline, model: compile(baseline, base), times: [] as number[] },
    {
      name: 'B (working tree)',
      engine: current as CoreModule,
      model: compile(current as CoreModule, 'working-tree'),
      times: [] as number[],
    },
  ];
  const work = engineWorkload(sides[1]!.model.eventTypes, 500);
  const batchMin = sides.map(() => new Array<number>(work.batches.length).fill(Number.POSITIVE_INFINITY));
  const runSide = (i: number) => {
    const s = sides[i]!;
    const batchTimes: number[] = [];
    const t = timeEngineRun(s.engine, s.model, work, true, batchTimes);
    const mins = batchMin[i]!;
    for (let b = 0; b < batchTimes.length; b++) mins[b] = Math.min(mins[b]!, batchTimes[b]!);
    return t;
  };
  for (const i of [0, 1]) timeEngineRun(sides[i]!.engine, sides[i]!.model, work, true); // warm-up (JIT)
  const ratios: number[] = [];
  for (let p = 0; p < pairs; p++) {
    const order = p % 2 === 0 ? [0, 1] : [1, 0];
    const t: number[] = [];
    for (const i of order) {
      t[i] = runSide(i);
      sides[i]!.times.push(t[i]!);
    }
    ratios.push(t[0]! / t[1]!);
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  const sum = (xs: number[]) => xs.reduce((x, y) => x + y, 0);
  const result = {
    events: work.events,
    pairs,
    a: {
      revision: base,
      bestEventsPerSec: perSecond(work.events, Math.min(...sides[0]!.times)),
      medianEventsPerSec: perSecond(work.events, median(sides[0]!.times)),
    },
    b: {
      revision: 'working tree',
      bestEventsPerSec: perSecond(work.events, Math.min(...sides[1]!.times)),
      medianEventsPerSec: perSecond(work.events, median(sides[1]!.times)),
    },
    medianSpeedRatio: Math.round(median(ratios) * 1000) / 1000,
    batchMinSpeedRatio: Math.round((sum(batchMin[0]!) / sum(batchMin[1]!)) * 1000) / 1000,
  };
  if (json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    for (const [s, r] of [
      [sides[0]!, result.a],
      [sides[1]!, result.b],
    ] as const) {
      process.stdout.write(
        `${s.name}: best ${r.bestEventsPerSec.toLocaleString('en')} events/s, median ${r.medianEventsPerSec.toLocaleString('en')}\n`,
      );
    }
    process.stdout.write(
      `B/A speed: median of ${pairs} paired ratios ${result.medianSpeedRatio}; per-batch minimum ${result.batchMinSpeedRatio} (A/A noise: about ±0.05 and ±0.15)\n`,
    );
  }
} catch (err) {
  process.stderr.write(`bench:ab: ${(err as Error).message}\n`);
  process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
