/**
 * The Zalo qualification flow as a pure function: polite, one question at a time, skipping
 * what is known, never twice in a row without an answer, stopping for a person or a rep.
 */
import { describe, expect, it } from 'vitest';
import { type FlowState, type Known, languageOf, nextStep } from '../../src/integrations/zalo/flow.ts';

const none: Known = {
  name: false,
  phone: false,
  need: false,
  company: false,
  budget: false,
  timeline: false,
};
const start: FlowState = { flow: 'qualifying', asked: [], answeredSinceAsk: true, repReplied: false };
const msg = { kind: 'message' as const, asksForHuman: false, name: null };
const on = { enabled: true, lang: 'vi' as const };
const texts = (s: ReturnType<typeof nextStep>) =>
  s.say.map((x) => (x.kind === 'text' ? x.text : `[${x.kind}]`));

describe('Zalo qualification flow', () => {
  it('greets a new follower by name and asks the first missing thing, in one message', () => {
    const s = nextStep(start, { kind: 'follow', asksForHuman: false, name: 'Lan' }, none, on);
    expect(texts(s)).toHaveLength(1);
    expect(texts(s)[0]).toMatch(/^Chào Lan, cảm ơn/);
    expect(texts(s)[0]).toMatch(/nhu cầu gì/);
    expect(s.state.asked).toEqual(['need']);
  });

  it('skips what is known and asks for contact details with the form last', () => {
    const s = nextStep(start, msg, { ...none, need: true, company: true, budget: true, timeline: true }, on);
    expect(s.say).toEqual([expect.objectContaining({ kind: 'request_user_info' })]);
  });

  it('does not ask again a question the customer answered in words it could not read', () => {
    const asked: FlowState = { ...start, asked: ['need'], answeredSinceAsk: false };
    const s = nextStep(asked, msg, none, on);
    expect(s.state.asked).toEqual(['need', 'company']);
  });

  it('never asks twice in a row without an answer', () => {
    const waiting: FlowState = { ...start, asked: ['need'], answeredSinceAsk: false };
    expect(nextStep(waiting, { kind: 'follow', asksForHuman: false, name: null }, none, on).say).toEqual([]);
  });

  it('stops for a person, after a rep replied, and when the flow is off', () => {
    const human = nextStep(start, { ...msg, asksForHuman: true }, none, on);
    expect(texts(human)[0]).toMatch(/chuyển anh\/chị sang tư vấn viên/);
    expect(human.state.flow).toBe('handed_off');
    expect(nextStep({ ...start, repReplied: true }, msg, none, on).say).toEqual([]);
    expect(nextStep(start, msg, none, { ...on, enabled: false }).say).toEqual([]);
    expect(nextStep({ ...start, flow: 'handed_off' }, msg, none, on).say).toEqual([]);
  });

  it('answers in English when the customer writes English', () => {
    expect(languageOf('Hi, I need a quote please', 'vi')).toBe('en');
    expect(languageOf('toi can bao gia', 'vi')).toBe('vi');
    const s = nextStep(start, msg, none, { enabled: true, lang: 'en' });
    expect(texts(s)[0]).toBe('What are you looking for a solution to?');
  });
});
