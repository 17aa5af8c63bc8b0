import { randomUUID } from 'node:crypto';

/**
 * Short, prefixed random ids (80 random bits): readable in chat and logs ("ld_3f9a…").
 * randomUUID draws from a cached entropy pool, so thousands of ids per batch stay cheap.
 */
export function newId(
  prefix:
    | 'ld'
    | 'ev'
    | 'id'
    | 'sc'
    | 'ob'
    | 'ba'
    | 'rp'
    | 'as'
    | 'dl'
    | 'ak'
    | 'sa'
    | 'ss'
    | 'bs'
    | 'dg'
    | 'zi'
    | 'zm'
    | 'zs',
): string {
  const u = randomUUID();
  // Skip the version nibble (position 14) so all 20 hex digits are random.
  return `${prefix}_${u.slice(0, 8)}${u.slice(9, 13)}${u.slice(15, 18)}${u.slice(19, 23)}${u.slice(24, 25)}`;
}
