/**
 * Text folding shared by every matcher: Vietnamese with and without diacritics must match
 * the same patterns ("Giám đốc", "giam doc", "GIÁM ĐỐC" all fold to "giam doc").
 */
export function foldText(input: string): string {
  return input
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}
