/**
 * The `hotlead` command line. Every command parses its input, calls the domain through the
 * runtime, prints text (or JSON with --json) and exits non-zero with a clear message on bad
 * input — never a stack trace.
 */
import { createInterface } from 'node:readline';
import { Command, CommanderError, Option } from 'commander';
import { handleCommand } from '../bot/commands.ts';
import { renderReply } from '../bot/render.ts';
import { renderExplanation } from '../bot/render-explanation.ts';
import { type Config, parseConfig } from '../config.ts';
import { openDatabase } from '../db/client.ts';
import { migrate } from '../db/migrate.ts';
import { createApiKey } from '../domain/api-keys.ts';
import { ingestEvents } from '../domain/ingest.ts';
import { explainLead, resolveLeadRef, showLead, topLeads } from '../domain/leads.ts';
import { activateModel, DEFAULT_MODEL_PATH, getActiveModel, loadModelFile } from '../domain/model-store.ts';
import { rescoreAll } from '../domain/rescore.ts';
import { ensureRep } from '../domain/reps.ts';
import { AppError, asAppError, formatDetails } from '../errors/app-error.ts';
import { buildHttpServer } from '../http/server.ts';
import { createConsoleChannel } from '../integrations/console/console-channel.ts';
import { createLlm } from '../integrations/openai/client.ts';
import { createLogger } from '../logger.ts';
import { describeExtraction, extractLeadDetails, mergeExtractions } from '../parse/extract.ts';
import { createRuntime, type Runtime, type RuntimeOptions } from '../runtime.ts';
import { STAGES, type Lang, type Stage } from '../scoring/types.ts';
import { runDemo } from './demo.ts';
import { readEventFile } from './import-file.ts';
import { connectZalo, readFirstLine } from './zalo-connect.ts';
import { zaloSettings } from './zalo-settings.ts';

const print = (s: string) => process.stdout.write(`${s}\n`);
const printJson = (v: unknown) => print(JSON.stringify(v, null, 2));

let config: Config;
const getConfig = () => (config ??= parseConfig());

async function withRuntime<T>(fn: (rt: Runtime) => Promise<T>, opts: RuntimeOptions = {}): Promise<T> {
  const cfg = getConfig();
  const logger = createLogger({ logLevel: cfg.logLevel === 'info' ? 'warn' : cfg.logLevel });
  const rt = await createRuntime(cfg, logger, opts);
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

function langOption() {
  return new Option('--lang <lang>', 'reply language').choices(['vi', 'en']);
}

function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

export function buildProgram(): Command {
  const program = new Command('hotlead')
    .description('Hotlead — lead scoring and a sales assistant that lives in chat')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('start')
    .description('run the Hotlead server: HTTP API, jobs and the console chat channel')
    .option('--no-worker', 'do not process jobs in this process (Redis mode: run `hotlead worker`)')
    .action(async (opts: { worker: boolean }) => {
      const cfg = getConfig();
      const logger = createLogger(cfg);
      const rt = await createRuntime(cfg, logger, { serve: true });
      const working = opts.worker || rt.queue.kind === 'in-process';
      if (working) await rt.startWorker();
      const http = buildHttpServer({
        db: rt.db,
        ingest: rt.ingest,
        logger,
        slack: rt.slack?.receiver,
        zalo: rt.zalo,
      });
      const address = await http.listen({ host: cfg.host, port: cfg.port });
      await rt.slack?.start();
      const lang = cfg.lang;
      const keys = await rt.db.prisma.apiKey.count();
      print(
        lang === 'vi'
          ? `Hotlead đang chạy tại ${address}  (cơ sở dữ liệu: ${rt.db.kind === 'postgres' ? 'Postgres' : `PGlite ${cfg.dataDir}`}, jobs: ${rt.queue.kind})`
          : `Hotlead is running at ${address}  (database: ${rt.db.kind === 'postgres' ? 'Postgres' : `PGlite ${cfg.dataDir}`}, jobs: ${rt.queue.kind})`,
      );
      print(
        lang === 'vi'
          ? `  • Thử ngay: npx hotlead demo   • Trò chuyện như một sales: npx hotlead chat${keys === 0 ? '   • Tạo API key: npx hotlead apikey create <tên>' : ''}\n  ${cfg.slack ? `Cảnh báo SQL được gửi lên Slack (kênh ${cfg.slack.sqlChannel}; ${cfg.slack.appToken ? 'Socket Mode' : `Request URL: ${address}/slack/events`}).` : working ? 'Cảnh báo SQL sẽ hiện ở đây.' : 'Cảnh báo SQL hiện ở cửa sổ của `hotlead worker`.'}`
          : `  • Try it: npx hotlead demo   • Chat as a rep: npx hotlead chat${keys === 0 ? '   • API key: npx hotlead apikey create <name>' : ''}\n  ${cfg.slack ? `SQL alerts go to Slack (channel ${cfg.slack.sqlChannel}; ${cfg.slack.appToken ? 'Socket Mode' : `Request URL: ${address}/slack/events`}).` : working ? 'SQL alerts appear here.' : 'SQL alerts appear where `hotlead worker` runs.'}`,
      );
      const signal = await waitForSignal();
      logger.info({ signal }, 'shutting down');
      await http.close();
      await rt.close();
    });

  program
    .command('worker')
    .description('process jobs (outbox delivery, decay sweeps); with REDIS_URL any number may run anywhere')
    .option('--concurrency <n>', 'jobs run in parallel', '4')
    .action(async (opts: { concurrency: string }) => {
      const cfg = getConfig();
      const logger = createLogger(cfg);
      const rt = await createRuntime(cfg, logger);
      const concurrency = Number.parseInt(opts.concurrency, 10);
      if (!Number.isInteger(concurrency) || concurrency < 1)
        throw new AppError('BAD_INPUT', '--concurrency must be a positive whole number');
      await rt.startWorker({ concurrency });
      logger.info({ queue: rt.queue.kind, concurrency }, 'worker started');
      await waitForSignal();
      await rt.close();
    });

  const db = program.command('db').description('database maintenance');
  db.command('migrate')
    .description('apply the committed migrations')
    .action(async () => {
      const cfg = getConfig();
      const database = await openDatabase({ databaseUrl: cfg.databaseUrl, dataDir: cfg.dataDir });
      try {
        const applied = await migrate(database);
        print(applied.length ? `applied: ${applied.join(', ')}` : 'the database is up to date');
      } finally {
        await database.close();
      }
    });

  const apikey = program.command('apikey').description('API keys for POST /api/v1/events');
  apikey
    .command('create <name>')
    .description('create a key (shown once)')
    .option('--json', 'machine-readable output')
    .action(async (name: string, opts: { json?: boolean }) =>
      withRuntime(async (rt) => {
        const k = await createApiKey(rt.db, name);
        if (opts.json) printJson(k);
        else print(`${k.key}\n(store it now: it is shown once; id ${k.id})`);
      }),
    );

  const events = program.command('events').description('event ingestion');
  events
    .command('import <file>')
    .description('import events from .jsonl or .csv (same validation and scoring as the API)')
    .option('--json', 'machine-readable output')
    .action(async (file: string, opts: { json?: boolean }) => {
      const items = await readEventFile(file);
      await withRuntime(async (rt) => {
        const counts = { accepted: 0, duplicate: 0, rejected: 0 };
        const rejections: { line: number; id?: string; errors: { path: string; message: string }[] }[] = [];
        let alerts = 0;
        const ingest = { ...rt.ingest, onOutbox: (ids: string[]) => (alerts += ids.length) };
        for (let i = 0; i < items.length; i += 500) {
          const chunk = items.slice(i, i + 500);
          const parseable = chunk.filter((c) => !c.parseError);
          for (const c of chunk.filter((x) => x.parseError)) {
            counts.rejected++;
            rejections.push({ line: c.line, errors: [{ path: '(line)', message: c.parseError! }] });
          }
          const results = await ingestEvents(
            ingest,
            parseable.map((c) => c.value),
            { source: 'import' },
          );
          results.forEach((r, j) => {
            counts[r.status]++;
            if (r.status === 'rejected') {
              rejections.push({
                line: parseable[j]!.line,
                ...(r.id ? { id: r.id } : {}),
                errors: r.errors ?? [],
              });
            }
          });
        }
        if (opts.json) printJson({ ...counts, alertsQueued: alerts, rejections });
        else {
          print(`accepted ${counts.accepted}, duplicate ${counts.duplicate}, rejected ${counts.rejected}`);
          for (const r of rejections)
            print(`line ${r.line}${r.id ? ` (${r.id})` : ''}:\n${formatDetails(r.errors)}`);
          if (alerts > 0) print(`${alerts} SQL alert(s) queued: \`hotlead start\` delivers them`);
        }
        if (counts.rejected > 0) process.exitCode = 1;
      });
    });

  const lead = program.command('lead').description('leads');
  lead
    .command('show <ref>')
    .description('show a lead (ref: lead id, email, phone or zalo:<id>)')
    .option('--json', 'machine-readable output')
    .addOption(langOption())
    .action(async (ref: string, opts: { json?: boolean; lang?: Lang }) =>
      withRuntime(async (rt) => {
        const id = await resolveLeadRef(rt.read, ref);
        const view = await showLead(rt.read, id);
        if (opts.json) printJson(view);
        else print(renderReply({ type: 'lead', lang: opts.lang ?? rt.config.lang, lead: view }, Date.now()));
      }),
    );

  program
    .command('why <ref>')
    .description('why is this lead hot: factors, decay, BANT, what is missing')
    .option('--json', 'machine-readable output')
    .addOption(langOption())
    .action(async (ref: string, opts: { json?: boolean; lang?: Lang }) =>
      withRuntime(async (rt) => {
        const id = await resolveLeadRef(rt.read, ref);
        const e = await explainLead(rt.read, id);
        if (opts.json) {
          printJson({
            ...e,
            fitScore: e.fitScore,
            engagementScore: e.engagementScore,
            factors: e.factors.map((f) => ({
              ...f,
              at: new Date(f.at).toISOString(),
              reason: f.reason.en,
              reasonVi: f.reason.vi,
            })),
            missing: e.missing.map((m) => ({
              ...m,
              description: m.description.en,
              descriptionVi: m.description.vi,
            })),
          });
        } else {
          print(
            renderExplanation(e, opts.lang ?? rt.config.lang, {
              ...(e.lead.name ? { name: e.lead.name } : {}),
              ...(e.lead.company ? { company: e.lead.company } : {}),
            }),
          );
        }
      }),
    );

  program
    .command('top')
    .description('the highest-scoring leads')
    .addOption(new Option('--stage <stage>', 'only this stage').choices([...STAGES]))
    .option('--limit <n>', 'how many', '10')
    .option('--json', 'machine-readable output')
    .addOption(langOption())
    .action(async (opts: { stage?: Stage; limit: string; json?: boolean; lang?: Lang }) => {
      const limit = Number.parseInt(opts.limit, 10);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
        throw new AppError('BAD_INPUT', '--limit must be 1–1000');
      await withRuntime(async (rt) => {
        const leads = await topLeads(rt.read, { limit, ...(opts.stage ? { stage: opts.stage } : {}) });
        if (opts.json) printJson(leads);
        else print(renderReply({ type: 'top', lang: opts.lang ?? rt.config.lang, leads }, Date.now()));
      });
    });

  const model = program.command('model').description('scoring models');
  model
    .command('validate <file>')
    .description('check a model file; every error is listed with its path')
    .action(async (file: string) => {
      const m = await loadModelFile(file);
      print(`${file}: valid (version ${m.version})`);
    });
  model
    .command('show')
    .description('print the active model')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) =>
      withRuntime(async (rt) => {
        const m = await getActiveModel(rt.db);
        if (opts.json)
          printJson({ version: m.version, eventTypes: [...m.model.eventTypes], source: m.source });
        else print(`# active model: ${m.version}\n${m.source}`);
      }),
    );

  program
    .command('rescore')
    .description(
      'replay all history under a model (the active one, or --model file which then becomes active)',
    )
    .option('--model <file>', 'model file to score with')
    .option('--dry-run', 'report the leads that would change stage; write nothing')
    .option('--json', 'machine-readable output')
    .action(async (opts: { model?: string; dryRun?: boolean; json?: boolean }) => {
      const candidate = opts.model ? await loadModelFile(opts.model) : null;
      await withRuntime(async (rt) => {
        const active = candidate ?? (await getActiveModel(rt.db));
        if (candidate && !opts.dryRun) await activateModel(rt.db, candidate);
        const report = await rescoreAll(rt.read, active, { dryRun: Boolean(opts.dryRun) });
        if (opts.json) printJson(report);
        else {
          print(
            `${report.dryRun ? 'dry run: ' : ''}${report.leads} leads replayed under ${report.modelVersion}; ${report.scoreChanges} score change(s), ${report.stageChanges.length} stage change(s)`,
          );
          for (const c of report.stageChanges) {
            print(
              `  ${c.leadId} ${c.name ?? ''}: ${c.fromStage} (${c.fromScore}) → ${c.toStage} (${c.toScore})`,
            );
          }
        }
      });
    });

  program
    .command('demo')
    .description('load realistic sample leads and events, print the SQL alerts and one explanation')
    .addOption(langOption())
    .action(async (opts: { lang?: Lang }) => {
      const cfg = getConfig();
      const lang = opts.lang ?? cfg.lang;
      await withRuntime((rt) => runDemo(rt, { lang, print }), {
        channel: createConsoleChannel({ lang, now: Date.now }),
      });
    });

  program
    .command('chat')
    .description('act as a rep in the console: why, top, lead, claim, help (Vietnamese or English)')
    .option('--rep <nameOrEmail>', 'who you are (created as a rep if new)', process.env.USER || 'rep')
    .addOption(langOption())
    .action(async (opts: { rep: string; lang?: Lang }) =>
      withRuntime(async (rt) => {
        const lang = opts.lang ?? rt.config.lang;
        const rep = await ensureRep(rt.db, opts.rep, { create: true });
        const deps = { ...rt.read };
        print(
          lang === 'vi'
            ? `Xin chào ${rep.name}! Gõ “trợ giúp” để xem lệnh, “thoát” để ra.`
            : `Hi ${rep.name}! Type “help” for the commands, “exit” to leave.`,
        );
        const rl = createInterface({ input: process.stdin, output: process.stdout, prompt: 'hotlead> ' });
        rl.prompt();
        for await (const line of rl) {
          const text = line.trim();
          if (/^(exit|quit|thoat|thoát)$/i.test(text)) break;
          if (text) {
            const reply = await handleCommand(deps, text, { lang, rep });
            print(renderReply(reply, Date.now()));
          }
          rl.prompt();
        }
        rl.close();
      }),
    );

  // --- extract: what Hotlead reads in one message (src/parse/extract.ts; + OpenAI when configured)
  program
    .command('extract <text>')
    .description('print the lead details Hotlead understands from one message (for tuning prompts)')
    .option('--json', 'machine-readable output')
    .addOption(langOption())
    .action(async (text: string, opts: { json?: boolean; lang?: Lang }) => {
      if (text.trim() === '')
        throw new AppError('BAD_INPUT', 'extract needs a message: hotlead extract "<text>"');
      const cfg = getConfig();
      const lang = opts.lang ?? cfg.lang;
      const now = Date.now();
      const parsed = extractLeadDetails(text, { now });
      const llm = createLlm(
        cfg.openai,
        createLogger({ logLevel: cfg.logLevel === 'info' ? 'warn' : cfg.logLevel }),
      );
      const e = llm ? mergeExtractions(parsed, await llm.extractLead(text, { lang, now })) : parsed;
      if (opts.json) printJson(e);
      else print(describeExtraction(e, lang));
    });
  // --- end extract

  // --- zalo: connect the Zalo OA (OAuth v4 + PKCE; see zalo-connect.ts)
  const zalo = program.command('zalo').description('Zalo Official Account');
  zalo
    .command('connect')
    .description('authorise Hotlead on the OA: prints the link, then takes the redirect URL or its code')
    .option('--code <code>', 'the code Zalo redirected with (together with --state)')
    .option('--state <state>', 'the state of the link that code answers')
    .addOption(langOption())
    .action(async (opts: { code?: string; state?: string; lang?: Lang }) => {
      const cfg = getConfig();
      const logger = createLogger({ logLevel: cfg.logLevel === 'info' ? 'warn' : cfg.logLevel });
      await connectZalo(
        { config: cfg, logger, print, readLine: readFirstLine },
        { code: opts.code, state: opts.state, lang: opts.lang ?? cfg.lang },
      );
    });
  zalo
    .command('settings')
    .description(
      "show the connected OA's settings; change them with --qualify (the bot's questions) and --paid-window (messages 48 h–7 days after the customer's last one, billed by Zalo)",
    )
    .option('--qualify <on|off>', 'the bot asks its qualification questions')
    .option('--paid-window <on|off>', 'send in the paid 48 h–7 day window')
    .option('--json', 'machine-readable output')
    .addOption(langOption())
    .action(async (opts: { qualify?: string; paidWindow?: string; json?: boolean; lang?: Lang }) => {
      const cfg = getConfig();
      await zaloSettings({ config: cfg, print }, { ...opts, lang: opts.lang ?? cfg.lang });
    });
  // --- end zalo

  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? 0 : 2;
    }
    const e = asAppError(err);
    process.stderr.write(`error: ${e.userMessage}\n`);
    if (e.details.length > 0) process.stderr.write(`${formatDetails(e.details)}\n`);
    if (e.code === 'INTERNAL')
      process.stderr.write(`(${String((err as Error)?.message ?? err).split('\n')[0]})\n`);
    return e.exitCode;
  }
}

export { DEFAULT_MODEL_PATH };
