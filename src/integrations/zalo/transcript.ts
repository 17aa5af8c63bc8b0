/** A Zalo conversation as lines for Slack (customer, bot, rep), oldest first. */
import type { Sql } from '../../db/sql.ts';
import { esc } from '../slack/blocks.ts';

export async function transcriptOf(tx: Sql, userId: string): Promise<string> {
  const rows = await tx.query<{ direction: string; author: string; text: string }>(
    `SELECT direction, author, text FROM zalo_message WHERE user_id = $1 ORDER BY at, id LIMIT 50`,
    [userId],
  );
  return rows
    .map((r) => `${r.direction === 'in' ? '👤' : r.author === 'bot' ? '🤖' : '🧑‍💼'} ${esc(r.text)}`)
    .join('\n');
}
