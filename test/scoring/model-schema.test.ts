import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { parseModel, parseModelText } from '../../src/scoring/index.ts';
import { DEFAULT_MODEL_TEXT, model } from './helpers.ts';

const rawDefault = (): Record<string, unknown> => YAML.parse(DEFAULT_MODEL_TEXT) as Record<string, unknown>;

describe('default model', () => {
  it('parses and compiles', () => {
    expect(model.version).toBe('default-2026.11.2');
    expect(model.thresholds).toEqual({ WARM: 20, MQL: 50, SQL: 81, hysteresis: 5 });
    expect(model.caps).toMatchObject({ fitMax: 50, engagementMax: 60, engagementMin: -30 });
    expect(model.expiryMs).toBe(90 * 86_400_000);
    expect(model.inactivityMs).toBe(30 * 86_400_000);
    expect(model.minDealSize).toBe(50_000_000);
    expect(model.rates.get('USD')).toBe(25_000);
    expect(model.rates.get('VND')).toBe(1);
    expect(model.fitRules).toHaveLength(15);
    expect(model.eventRules.size).toBe(19);
  });

  it('knows every event type of the brief (and the built-in ones)', () => {
    for (const t of [
      'newsletter_signup',
      'event_registration',
      'zalo_follow',
      'zalo_unfollow',
      'zalo_message',
      'email_open',
      'email_click',
      'email_bounce',
      'unsubscribe',
      'page_view',
      'content_download',
      'webinar_attended',
      'form_submit',
      'demo_request',
      'quote_request',
      'contact_sales',
      'call_unreachable',
      'attribute_update',
      'bant_update',
      'deal_won',
      'deal_lost',
      'lead_disqualified',
      'lead_reopened',
    ]) {
      expect(model.eventTypes.has(t), t).toBe(true);
    }
    expect(model.eventTypes.has('tiktok_like')).toBe(false);
  });

  it('orders page_view rules most specific first', () => {
    expect(model.byEventType.get('page_view')?.rules.map((r) => r.id)).toEqual([
      'eng.pricing_view',
      'eng.page_view',
    ]);
  });

  it('keeps the raw spec for `model show`', () => {
    expect(model.spec.engagement[0]?.id).toBe('eng.newsletter_signup');
    expect(model.spec.lists.targetIndustries).toContain('IT services');
  });

  it('parses the same model given as JSON text', () => {
    const r = parseModelText(JSON.stringify(rawDefault()));
    expect(r.ok).toBe(true);
  });

  it('accepts a custom model that adds an event type and a rule for it', () => {
    const raw = rawDefault();
    raw.eventTypes = [...(raw.eventTypes as string[]), 'trade_show_visit'];
    raw.engagement = [
      ...(raw.engagement as unknown[]),
      {
        id: 'eng.trade_show',
        event: 'trade_show_visit',
        points: 12,
        label: { vi: 'Ghé gian hàng', en: 'Visited our booth' },
      },
    ];
    const r = parseModel(raw);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.model.eventTypes.has('trade_show_visit')).toBe(true);
      expect(r.model.byEventType.get('trade_show_visit')?.rules[0]?.points).toBe(12);
    }
  });
});

describe('invalid models', () => {
  it('returns every error at once, each with its dotted path', () => {
    const raw = rawDefault();
    const engagement = raw.engagement as Record<string, unknown>[];
    (engagement[3] as Record<string, unknown>).limit = { times: 'five', perDays: 30 };
    (engagement[4] as Record<string, unknown>).id = 'eng.email_open'; // duplicate of engagement.3
    (raw.thresholds as Record<string, unknown>).MQL = 10; // below WARM 20
    const fit = raw.fit as Record<string, Record<string, unknown>>[];
    (fit[0] as { when: Record<string, unknown> }).when.matches = '(unclosed';
    (fit[6] as { when: Record<string, unknown> }).when.inList = 'noSuchList';
    (engagement[5] as Record<string, unknown>).event = 'no_such_event';
    (raw.negative as Record<string, unknown>[])[0] = {
      ...(raw.negative as Record<string, unknown>[])[0],
      points: 20,
    };

    const r = parseModel(raw);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const byPath = new Map(r.errors.map((e) => [e.path, e.message]));
    expect(byPath.get('engagement.3.limit.times')).toMatch(/expected number/i);
    expect(byPath.get('engagement.4.id')).toBe(
      'Duplicate rule id "eng.email_open" (first defined at engagement.3.id)',
    );
    expect(byPath.get('thresholds.MQL')).toBe('MQL (10) must be greater than WARM (20)');
    expect(byPath.get('fit.0.when.matches')).toMatch(/^Invalid regular expression/);
    expect(byPath.get('fit.6.when.inList')).toBe('Unknown list "noSuchList" (define it under lists)');
    expect(byPath.get('engagement.5.event')).toBe('Event type "no_such_event" is not listed in eventTypes');
    expect(byPath.get('negative.0.points')).toBe('Negative rules must give negative points');
    expect(r.errors).toHaveLength(7);
  });

  it('reports missing and unknown keys', () => {
    const raw = rawDefault();
    delete raw.version;
    (raw.caps as Record<string, unknown>).engagment = 60; // typo
    const r = parseModel(raw);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.path).sort()).toEqual(['caps', 'version']);
    expect(r.errors.find((e) => e.path === 'caps')?.message).toMatch(/engagment/);
  });

  it('checks SQL ≤ 100 and numeric operators on numeric attributes only', () => {
    const raw = rawDefault();
    (raw.thresholds as Record<string, unknown>).SQL = 120;
    const fit = raw.fit as { when: Record<string, unknown> }[];
    (fit[3] as { when: Record<string, unknown> }).when = { attribute: 'companySize', matches: 'big' };
    (fit[6] as { when: Record<string, unknown> }).when = { attribute: 'industry', gte: 3 };
    const r = parseModel(raw);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.path).sort()).toEqual([
      'fit.3.when.matches',
      'fit.6.when.gte',
      'thresholds.SQL',
    ]);
  });

  it('rejects a non-object', () => {
    const r = parseModel('nope');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]?.path).toBe('');
  });

  it('reports a YAML syntax error with its line', () => {
    const r = parseModelText('version: x\nthresholds:\n  WARM: [20\n  MQL: 50\n');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors[0]?.line).toBeGreaterThanOrEqual(3);
    expect(r.errors[0]?.message).toMatch(/YAML syntax error at line \d+/);
  });

  it('gives the source line of a schema error in YAML text', () => {
    const text = DEFAULT_MODEL_TEXT.replace('engagementExpiryDays: 90', 'engagementExpiryDays: ninety');
    const line = text.split('\n').findIndex((l) => l.includes('engagementExpiryDays: ninety')) + 1;
    const r = parseModelText(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([
      { path: 'decay.engagementExpiryDays', message: expect.stringMatching(/expected number/i), line },
    ]);
  });
});
