/**
 * The BANT conversation as a pure function: what the bot says next and what it stores, for
 * the rep's replies in Vietnamese (with and without diacritics) and English.
 */
import { describe, expect, it } from 'vitest';
import { converse, nextField, type SessionState } from '../../src/integrations/slack/bant.ts';

const now = Date.parse('2026-11-23T03:00:00Z');
const ctx = (lang: 'vi' | 'en' = 'vi', known: string[] = []) =>
  ({ lang, now, known: new Set(known) }) as Parameters<typeof converse>[2];
const asking = (field: SessionState['field']): SessionState => ({ field, pending: null, skipped: [] });
const confirming = (field: SessionState['field'], value: unknown): SessionState => ({
  field,
  pending: { value },
  skipped: [],
});

describe('BANT conversation', () => {
  it('asks the fields in order, skipping the known and the skipped', () => {
    expect(nextField(new Set(), [])).toBe('budget');
    expect(nextField(new Set(['budget']), ['authority'])).toBe('need');
    expect(nextField(new Set(['budget', 'authority', 'need', 'timeline']), [])).toBeNull();
  });

  it('confirms an understood answer before storing it', () => {
    const t = converse(asking('budget'), 'tầm 1,5 tỷ', ctx());
    expect(t.say).toEqual(['Ngân sách: 1.500.000.000 ₫ — đúng không?']);
    expect(t.store).toBeUndefined();
    expect(t.state.pending).toEqual({ value: { amount: 1_500_000_000, currency: 'VND' } });
  });

  it.each([['đúng'], ['dung'], ['ok'], ['yes'], ['chuẩn']])(
    '“%s” confirms and moves to the next question',
    (reply) => {
      const t = converse(confirming('budget', { amount: 200_000_000, currency: 'VND' }), reply, ctx());
      expect(t.store).toEqual({ field: 'budget', value: { amount: 200_000_000, currency: 'VND' } });
      expect(t.state.field).toBe('authority');
      expect(t.say[0]).toMatch(/^Người này có phải là người quyết định/);
    },
  );

  it.each([['dừng'], ['stop'], ['thôi'], ['dung']])(
    '“%s” while a question is open stops the conversation',
    (reply) => {
      const t = converse(asking('timeline'), reply, ctx());
      expect(t.status).toBe('stopped');
      expect(t.store).toBeUndefined();
    },
  );

  it('a correction is confirmed again; a no asks the question again', () => {
    const c = converse(
      confirming('budget', { amount: 200_000_000, currency: 'VND' }),
      'không, 300 triệu',
      ctx(),
    );
    expect(c.say).toEqual(['Ngân sách: 300.000.000 ₫ — đúng không?']);
    expect(c.store).toBeUndefined();
    const n = converse(confirming('authority', 'influencer'), 'no', ctx('en'));
    expect(n.say).toEqual(['What is their authority then?']);
    expect(n.state.pending).toBeNull();
  });

  it('refuses to guess: an answer it cannot read is asked again, nothing stored', () => {
    const t = converse(asking('timeline'), 'sớm thôi', ctx());
    expect(t.say[0]).toMatch(/chưa hiểu/);
    expect(t.state).toEqual(asking('timeline'));
  });

  it('skipping the last open field ends the conversation', () => {
    const t = converse(asking('timeline'), 'skip', ctx('en', ['budget', 'authority', 'need']));
    expect(t.status).toBe('done');
    expect(t.state.skipped).toEqual(['timeline']);
  });
});
