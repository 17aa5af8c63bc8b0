/**
 * A Zalo message asking for prices or a quote is the pricing signal of the default model
 * (eng.pricing_zalo, +10, 2 per 30 days), instead of the generic +2 of a Zalo message.
 */
import { describe, expect, it } from 'vitest';
import { DAY, ev, HOUR, run, T0 } from './helpers.ts';

describe('pricing intent in a Zalo message', () => {
  it('earns the pricing rule, at most twice in 30 days; other messages earn the generic points', () => {
    const r = run([
      ev('zalo_message', T0, { properties: { text: 'cho em xin bảng giá', intent: 'pricing' } }),
      ev('zalo_message', T0 + HOUR, { properties: { text: 'giá bao nhiêu vậy', intent: 'pricing' } }),
      ev('zalo_message', T0 + 2 * HOUR, { properties: { text: 'bao gia giup em', intent: 'pricing' } }),
      ev('zalo_message', T0 + 3 * HOUR, { properties: { text: 'cảm ơn' } }),
      ev('zalo_message', T0 + 31 * DAY, { properties: { text: 'báo giá mới nhé', intent: 'pricing' } }),
    ]);
    const byRule = (id: string) =>
      r.trace.filter((t) => t.ruleId === id && t.points !== 0).map((t) => t.points);
    expect(byRule('eng.pricing_zalo')).toEqual([10, 10, 10]);
    expect(byRule('eng.zalo_message')).toEqual([2]);
    expect(r.trace.find((t) => t.ruleId === 'eng.pricing_zalo')!.reason.vi).toMatch(/Hỏi giá qua Zalo/);
  });

  it('our own outbound messages earn nothing, pricing or not', () => {
    const r = run([ev('zalo_message', T0, { properties: { direction: 'outbound', intent: 'pricing' } })]);
    expect(r.state.engagement).toBe(0);
  });
});
