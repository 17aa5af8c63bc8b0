import { randomBytes } from 'node:crypto';

/** Short, prefixed random ids (80 bits): readable in chat and logs ("ld_3f9a…"). */
export function newId(prefix: 'ld' | 'ev' | 'id' | 'sc' | 'ob' | 'ba' | 'rp' | 'as' | 'dl' | 'ak'): string {
  return `${prefix}_${randomBytes(10).toString('hex')}`;
}
