/** Free-text parsing at the boundary: identities (phone, email) and BANT answers. */
export type { Authority } from '../scoring/types.ts';
export { parseAuthority } from './authority.ts';
export { type BantField, type BantFieldValues, confirmText, describeBant, parseBantText } from './bant.ts';
export { type BudgetParse, type BudgetValue, parseBudget, parseBudgetDetailed } from './budget.ts';
export { type CivilDate, vnToday } from './calendar.ts';
export {
  type Confirmation,
  type ConfirmationReply,
  parseConfirmation,
  readConfirmationReply,
} from './confirm.ts';
export { emailDomain, findEmails, normalizeEmail } from './email.ts';
export {
  describeExtraction,
  type Extraction,
  type Extractor,
  extractLeadDetails,
  type FieldProvenance,
  LEAD_FIELDS,
  LEAD_INTENTS,
  type LeadDetails,
  type LeadExtractOptions,
  type LeadField,
  type LeadIntent,
  mergeExtractions,
  overallConfidence,
} from './extract.ts';
export { formatNumber } from './format.ts';
export { nextTet, TET_DATES, tetDate } from './lunar.ts';
export {
  type Currency,
  findMoney,
  type Money,
  type MoneyMatch,
  type MoneyRange,
  parseMoney,
  parseMoneyRange,
} from './money.ts';
export { type NeedValue, parseNeed } from './need.ts';
export { findPhones, normalizePhone } from './phone.ts';
export { foldText } from './text.ts';
export { parseTimeline, type TimelineResult, type TimelineValue } from './timeline.ts';
