/**
 * Email addresses: normalised to lower case (the project keys leads by lower-cased email) and
 * validated against a deliberately plain shape. We accept what real leads type (dots, plus
 * tags, subdomains, .com.vn) and refuse what is clearly not an address. Quoted local parts,
 * IP-literal domains and non-ASCII addresses are not accepted: leads do not use them and they
 * are a common source of garbage.
 */

const LOCAL_RE = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const TLD_RE = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

function isValidDomain(domain: string): boolean {
  if (domain.length > 253) return false;
  const labels = domain.split('.');
  if (labels.length < 2) return false;
  const tld = labels[labels.length - 1] ?? '';
  return labels.every((l) => LABEL_RE.test(l)) && TLD_RE.test(tld);
}

/** Trimmed, lower-cased address, or null when it is not a sane email address. */
export function normalizeEmail(s: string): string | null {
  let email = s.trim();
  // Tolerate what copy-paste brings along: "mailto:", angle brackets.
  email = email.replace(/^mailto:/i, '');
  const angled = /^<(.*)>$/.exec(email);
  if (angled) email = angled[1]!.trim();
  email = email.toLowerCase();
  if (email.length > 254) return null;
  const at = email.lastIndexOf('@');
  if (at <= 0) return null;
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (local.length > 64 || !LOCAL_RE.test(local)) return null;
  return isValidDomain(domain) ? email : null;
}

/** Candidate shape inside free text; validated afterwards with normalizeEmail. */
const EMAIL_IN_TEXT_RE = /[a-z0-9._%+'-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+/gi;

/**
 * A sentence glued to the address ("an@congty.vn.Cảm ơn" is matched as "an@congty.vn.c"):
 * drop trailing labels until the address validates.
 */
function bestEmail(candidate: string): string | null {
  let c = candidate;
  for (;;) {
    const email = normalizeEmail(c);
    if (email) return email;
    const cut = c.lastIndexOf('.');
    if (cut <= c.indexOf('@')) return null;
    c = c.slice(0, cut);
  }
}

/**
 * Emails found in free text ("email anh là An.Nguyen@CongTy.vn nhé."), normalised, in order,
 * without duplicates. A trailing sentence dot is not part of the address.
 */
export function findEmails(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(EMAIL_IN_TEXT_RE)) {
    const email = bestEmail(m[0].replace(/^[._%+'-]+/, '').replace(/[.-]+$/, ''));
    if (email && !found.includes(email)) found.push(email);
  }
  return found;
}

/** Lower-cased domain of an address ("an@CongTy.vn" → "congty.vn"); '' when there is no "@". */
export function emailDomain(email: string): string {
  const at = email.lastIndexOf('@');
  return at < 0
    ? ''
    : email
        .slice(at + 1)
        .trim()
        .toLowerCase();
}
