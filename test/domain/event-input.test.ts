import { describe, expect, it } from 'vitest';
import { validateEvent } from '../../src/domain/event-input.ts';

const NOW = Date.parse('2026-11-23T03:00:00Z'); // 10:00 in Vietnam
const ctx = { now: NOW, knownTypes: new Set(['bant_update', 'page_view', 'email_open']) };
const bant = (properties: Record<string, unknown>) =>
  validateEvent({ id: 'x', type: 'bant_update', lead: { email: 'a@b.vn' }, properties }, ctx);

describe('validateEvent', () => {
  it.each([
    [{ budget: 300_000_000 }, { budget: { amount: 300_000_000, currency: 'VND' } }],
    [{ budget: { amount: 10_000, currency: 'usd' } }, { budget: { amount: 10_000, currency: 'USD' } }],
    [{ budget: 'none' }, { budget: 'none' }],
    [{ budget: '1,5 tỷ' }, { budget: { amount: 1_500_000_000, currency: 'VND' } }],
    [{ budget: '$10k' }, { budget: { amount: 10_000, currency: 'USD' } }],
    [{ authority: 'decision_maker' }, { authority: 'decision_maker' }],
    [{ authority: 'phải hỏi sếp' }, { authority: 'influencer' }],
    [{ authority: 'giam doc' }, { authority: 'decision_maker' }],
    [{ need: true }, { need: { confirmed: true } }],
    [{ timeline: 2 }, { timeline: { monthsMax: 2 } }],
    [{ timeline: { decideBy: '2027-01-31' } }, { timeline: { decideBy: '2027-01-31' } }],
    [{ timeline: 'trước Tết' }, { timeline: { monthsMax: 3, decideBy: '2027-02-05' } }],
  ])('understands BANT %j', (props, expected) => {
    const r = bant(props);
    expect(r.ok && r.event.bant).toEqual(expected);
  });

  it.each([
    [{ budget: 'tùy' }, 'properties.budget'],
    [{ budget: -5 }, 'properties.budget'],
    [{ authority: 42 }, 'properties.authority'],
    [{ timeline: { monthsMax: -1 } }, 'properties.timeline'],
    [{ timeline: { decideBy: 'soon' } }, 'properties.timeline'],
    [{}, 'properties'],
  ])('refuses BANT %j naming %s', (props, path) => {
    const r = bant(props);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.path)).toContain(path);
  });

  it.each([
    [{ id: 'x', type: 'email_open', lead: { email: 'a@b.vn' }, extra: 1 }, '(event)'],
    [{ id: '', type: 'email_open', lead: { email: 'a@b.vn' } }, 'id'],
    [{ id: 'x', type: 'email_open', lead: { email: 'a@b.vn', nickname: 'A' } }, 'lead'],
    [{ id: 'x', type: 'email_open', lead: { email: 'a@b.vn', companySize: 'many' } }, 'lead.companySize'],
    [
      { id: 'x', type: 'email_open', occurredAt: '2030-01-01T00:00:00Z', lead: { email: 'a@b.vn' } },
      'occurredAt',
    ],
    [{ id: 'x', type: 'email_open', occurredAt: '23/11/2026', lead: { email: 'a@b.vn' } }, 'occurredAt'],
  ])('rejects %j at %s', (raw, path) => {
    const r = validateEvent(raw, ctx);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.path)).toContain(path);
  });

  it('normalises identities and keeps the lead attributes', () => {
    const r = validateEvent(
      {
        id: 'n',
        type: 'email_open',
        lead: { email: ' An@X.VN ', phone: '0912.345.678', zaloUserId: '123', companySize: '200+' },
      },
      ctx,
    );
    expect(r.ok && r.event.identities).toEqual([
      { kind: 'email', value: 'an@x.vn' },
      { kind: 'phone', value: '+84912345678' },
      { kind: 'zalo', value: '123' },
    ]);
    expect(r.ok && r.event.lead.companySize).toBe(200);
  });
});
