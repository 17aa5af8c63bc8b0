/** Number formatting shared by the confirmations (bant.ts) and parser notes (budget.ts). */
import type { Lang } from '../scoring/types.ts';

/** 200000000 → "200.000.000" (vi) / "200,000,000" (en); decimals kept to 2 places. */
export function formatNumber(n: number, lang: Lang): string {
  const [thousands, decimal] = lang === 'vi' ? ['.', ','] : [',', '.'];
  const rounded = Math.round(Math.abs(n) * 100) / 100;
  const [int = '0', frac] = rounded.toString().split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, thousands);
  return (n < 0 ? '-' : '') + grouped + (frac ? decimal + frac : '');
}
