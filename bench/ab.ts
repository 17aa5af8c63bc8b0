/**
 * `npm run bench:ab [-- --base <git revision>] [-- --pairs N] [-- --ingest] [-- --json]`: the
 * working tree (B) against another revision (A, default HEAD), in one process, runs
 * interleaved (A B, B A, …).
 *
 * Why: on this shared 2-core VM the same code measures anywhere between about 390,000 and
 * 630,000 engine events/s (and about 4,400 to 8,300 ingested events/s) depending on the moment
 * (neighbours, the host), so two `npm run bench` processes run minutes apart cannot tell a 10%
 * change from noise. Paired runs see the same moment.
 *
 * Engine (default): the engine benchmark's workload (bench/engine-run.ts). Printed: each
 * side's best and median run, the median of the per-pair speed ratios (B/A > 1: the working
 * tree is faster), and the ratio of the sums of per-batch minimum times (each batch's fastest
 * run: what the code costs with interference and GC pauses left out, so it does not show a
 * change in allocation). In A/A comparisons (no change) the per-batch minimum ratio stayed
 * within about ±0.05 of 1 and the median paired ratio within about ±0.15: treat smaller
 * differences as noise. The base revision's `src/scoring` and `src/parse` (all the core
 * imports) are extracted with `git archive` into a temporary folder; both sides compile the
 * working tree's default model with their own compiler, and both score the working tree's
 * workload.
 *
 * `--ingest`: the Postgres ingestion benchmark (bench/ingest-run.ts: HTTP, batches of 500, one
 * producer) on 20,000 events, each run on a fresh database migrated by its own side. Printed:
 * each side's best and median events/s and the median of the per-pair ratios. The base
 * revision's `src`, `prisma`, `models` and `prompts` are extracted; it runs with the working
 * tree's generated Prisma client, so a base whose Prisma schema differs is refused. In an A/A
 * comparison (no change) the median paired ratio was 1.026.
 *
 * A benchmark, not a test.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_MODEL_PATH } from '../src/domain/model-store.ts';
import type { ScoringModel } from '../src/scoring/compile.ts';
import * as current from '../src/scoring/index.ts';
import { type EngineUnderTest, engineWorkload, perSecond, timeEngineRun } from './engine-run.ts';
import { freshPostgres } from './fresh-postgres.ts';
import { loadServer, type ServerUnderTest, timeIngestRun } from './ingest-run.ts';
import { buildWorkload } from './workload.ts';

const args = process.argv.slice(2);
const arg = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const base = arg('--base') ?? 'HEAD';
const pairs = Number(arg('--pairs') ?? 10);
const json = args.includes('--json');
const INGEST_EVENTS = 20_000;
if (!Number.isInteger(pairs) || pairs < 2) {
  process.stderr.write('--pairs must be an integer ≥ 2\n');
  process.exit(2);
}

type CoreModule = EngineUnderTest & {
  parseModelText(text: string): { ok: true; model: ScoringModel } | { ok: false; errors: unknown[] };
};

const ingest = args.includes('--ingest');
const root = path.resolve(import.meta.dirname, '..');
const dir = mkdtempSync(path.join(tmpdir(), 'hotlead-ab-'));
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;

/** Extracts `paths` of the base revision into `dir`, as ES modules using this checkout's packages. */
function extractBase(paths: string[]): void {
  let archive: Buffer;
  try {
    archive = execFileSync('git', ['archive', base, ...paths], {
      cwd: root,
      maxBuffer: 1 << 28,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch {
    throw new Error(`git cannot read ${paths.join(', ')} at revision "${base}"`);
  }
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
}

interface Comparison {
  events: number;
  pairs: number;
  a: { revision: string; bestEventsPerSec: number; medianEventsPerSec: number };
  b: { revision: string; bestEventsPerSec: number; medianEventsPerSec: number };
  medianSpeedRatio: number;
  batchMinSpeedRatio?: number;
}

async function compareEngines(): Promise<Comparison> {
  extractBase(['src/scoring', 'src/parse']);
  const baseline = (await import(pathToFileURL(path.join(dir, 'src/scoring/index.ts')).href)) as CoreModule;

  const source = readFileSync(DEFAULT_MODEL_PATH, 'utf8');
  const compile = (core: CoreModule, side: string) => {
    const r = core.parseModelText(source);
    if (!r.ok) throw new Error(`the ${side} engine refuses the default model: ${JSON.stringify(r.errors)}`);
    return r.model;
  };
  const sides = [
    { engine: baseline, model: compile(baseline, base), times: [] as number[] },
    {
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
  const sum = (xs: number[]) => xs.reduce((x, y) => x + y, 0);
  return {
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
}

async function compareIngestion(): Promise<Comparison> {
  extractBase(['src', 'prisma', 'models', 'prompts']);
  const schema = (r: string) => readFileSync(path.join(r, 'prisma/schema.prisma'), 'utf8');
  if (schema(dir) !== schema(root)) {
    throw new Error(
      `the Prisma schema at revision "${base}" differs from the working tree's, whose generated client both sides use`,
    );
  }
  // The generated Prisma client is not in git: the working tree's serves both sides.
  cpSync(path.join(root, 'src/generated'), path.join(dir, 'src/generated'), { recursive: true });
  const sides = [
    { server: await loadServer(path.join(dir, 'src')), runs: [] as number[] },
    { server: await loadServer(path.join(root, 'src')), runs: [] as number[] },
  ];
  const { events } = buildWorkload({ events: INGEST_EVENTS, endAt: Date.now() - 60_000, seed: 42 });
  const runOnce = async (server: ServerUnderTest) => {
    const target = await freshPostgres();
    try {
      const db = await server.openDatabase({ databaseUrl: target.url });
      try {
        await server.migrate(db);
        return (await timeIngestRun(server, db, events, { batch: 500, concurrency: 1 })).eventsPerSec;
      } finally {
        await db.close();
      }
    } finally {
      await target.drop();
    }
  };
  for (const s of sides) await runOnce(s.server); // warm-up (JIT)
  const ratios: number[] = [];
  for (let p = 0; p < pairs; p++) {
    for (const i of p % 2 === 0 ? [0, 1] : [1, 0]) sides[i]!.runs.push(await runOnce(sides[i]!.server));
    ratios.push(sides[1]!.runs[p]! / sides[0]!.runs[p]!);
  }
  const summary = (runs: number[], revision: string) => ({
    revision,
    bestEventsPerSec: Math.max(...runs),
    medianEventsPerSec: median(runs),
  });
  return {
    events: INGEST_EVENTS,
    pairs,
    a: summary(sides[0]!.runs, base),
    b: summary(sides[1]!.runs, 'working tree'),
    medianSpeedRatio: Math.round(median(ratios) * 1000) / 1000,
  };
}

try {
  const result = ingest ? await compareIngestion() : await compareEngines();
  if (json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    for (const [name, r] of [
      [`A (${base})`, result.a],
      ['B (working tree)', result.b],
    ] as const) {
      process.stdout.write(
        `${name}: best ${r.bestEventsPerSec.toLocaleString('en')} events/s, median ${r.medianEventsPerSec.toLocaleString('en')}\n`,
      );
    }
    process.stdout.write(
      result.batchMinSpeedRatio === undefined
        ? `B/A ingestion speed: median of ${pairs} paired ratios ${result.medianSpeedRatio} (an A/A comparison gave 1.026)\n`
        : `B/A speed: median of ${pairs} paired ratios ${result.medianSpeedRatio}; per-batch minimum ${result.batchMinSpeedRatio} (A/A noise: about ±0.05 and ±0.15)\n`,
    );
  }
} catch (err) {
  process.stderr.write(`bench:ab: ${(err as Error).message}\n`);
  process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
