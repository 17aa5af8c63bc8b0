/**
 * The active scoring model lives in the database (scoring_model.active) so every process —
 * server, workers, CLI — scores with the same version. The first start seeds it from the
 * model file (HOTLEAD_MODEL or models/default.yaml).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors/app-error.ts';
import { parseModelText, type ScoringModel } from '../scoring/index.ts';
import type { Database } from '../db/client.ts';

export const DEFAULT_MODEL_PATH = path.resolve(import.meta.dirname, '../../models/default.yaml');

export interface ActiveModel {
  version: string;
  model: ScoringModel;
  source: string;
}

/** Reads and validates a model file; a bad model is refused with every error's path. */
export async function loadModelFile(file: string): Promise<ActiveModel> {
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch {
    throw new AppError('BAD_INPUT', `Cannot read the model file ${file}`);
  }
  return compileModel(source, file);
}

export function compileModel(source: string, label = 'model'): ActiveModel {
  const parsed = parseModelText(source);
  if (!parsed.ok) {
    throw new AppError('BAD_MODEL', `${label} is not a valid scoring model`, { details: parsed.errors });
  }
  return { version: parsed.model.version, model: parsed.model, source };
}

const cache = new Map<string, ActiveModel>();

/** The active model; seeds it from `seedFile` when the database has none yet. */
export async function getActiveModel(db: Database, seedFile = DEFAULT_MODEL_PATH): Promise<ActiveModel> {
  // Every ingestion batch asks: the version alone is read, and the source (kilobytes) only when
  // this process has not compiled that version yet. Versions are never deleted.
  const active = await db.prisma.scoringModelVersion.findFirst({
    where: { active: true },
    select: { version: true },
  });
  if (active) {
    const cached = cache.get(active.version);
    if (cached) return cached;
    const row = await db.prisma.scoringModelVersion.findUniqueOrThrow({ where: { version: active.version } });
    const compiled = compileModel(row.source, `model ${row.version}`);
    cache.set(row.version, compiled);
    return compiled;
  }
  const seeded = await loadModelFile(seedFile);
  await activateModel(db, seeded);
  cache.set(seeded.version, seeded);
  return seeded;
}

/**
 * Stores the model version (if new) and makes it the only active one. Versions are immutable:
 * every trace entry names its version, so the same version with other content is refused.
 */
export async function activateModel(db: Database, m: ActiveModel): Promise<void> {
  const existing = await db.prisma.scoringModelVersion.findUnique({ where: { version: m.version } });
  if (existing && existing.source !== m.source) {
    throw new AppError(
      'CONFLICT',
      `Model version ${m.version} already exists with different rules: give the changed model a new version`,
    );
  }
  await db.prisma.$transaction([
    db.prisma.scoringModelVersion.updateMany({ where: { active: true }, data: { active: false } }),
    db.prisma.scoringModelVersion.upsert({
      where: { version: m.version },
      create: { version: m.version, source: m.source, active: true },
      update: { active: true },
    }),
  ]);
}
