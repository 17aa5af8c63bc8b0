/**
 * What the domain asks of a chat channel. Adapters (console now; Slack and Zalo later) render
 * these structures; they never decide business rules.
 */
import type { LeadExplanation } from '../domain/leads.ts';

export interface SqlAlert {
  /** Outbox row id: the idempotency key of this delivery. */
  outboxId: string;
  leadId: string;
  crossedAt: number;
  source: string | null;
  firstTouchAt: number | null;
  /**
   * The lead's explanation as of now, for channels that show it with the alert (the console).
   * Computed on demand: a channel that renders its message later (Slack renders at send time)
   * does not pay for it.
   */
  explain(): Promise<LeadExplanation>;
}

export interface ChatChannel {
  readonly name: string;
  /** Deliver an SQL alert. Must be safe to call again with the same outboxId after a crash. */
  deliverSqlAlert(alert: SqlAlert): Promise<void>;
}
