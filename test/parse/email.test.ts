import { describe, expect, it } from 'vitest';
import { emailDomain, findEmails, normalizeEmail } from '../../src/parse/email.ts';

describe('normalizeEmail', () => {
  it.each([
    ['An.Nguyen@CongTy.vn', 'an.nguyen@congty.vn'],
    ['  sales@abc.com.vn  ', 'sales@abc.com.vn'],
    ['first+tag@gmail.com', 'first+tag@gmail.com'],
    ['mailto:Hoa@Example.COM', 'hoa@example.com'],
    ['<lan@phanmem.io>', 'lan@phanmem.io'],
    ['x_y-z@sub.domain.co', 'x_y-z@sub.domain.co'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeEmail(input)).toBe(expected);
  });

  it.each([
    ['an@congty'], // no TLD
    ['an@@congty.vn'],
    ['an.@congty.vn'], // dot at the end of the local part
    ['.an@congty.vn'],
    ['a..n@congty.vn'],
    ['an@-congty.vn'],
    ['an@congty.v'], // one-letter TLD
    ['an nguyen@congty.vn'], // space
    ['anh@công-ty.vn'], // non-ASCII domain
    ['congty.vn'],
    ['@congty.vn'],
    [''],
  ])('%s → null', (input) => {
    expect(normalizeEmail(input)).toBeNull();
  });
});

describe('findEmails', () => {
  it.each([
    ['email anh là An.Nguyen@CongTy.vn nhé.', ['an.nguyen@congty.vn']],
    ['liên hệ: sales@abc.com.vn. Cảm ơn', ['sales@abc.com.vn']],
    ['gửi a@b.com, A@B.com và c@d.io', ['a@b.com', 'c@d.io']],
    ['mail: lan@phanmem.io.Cảm ơn chị', ['lan@phanmem.io']],
    ['không có email', []],
    ['@mention và a@b', []],
  ])('%s', (text, expected) => {
    expect(findEmails(text)).toEqual(expected);
  });
});

describe('emailDomain', () => {
  it.each([
    ['an@CongTy.vn', 'congty.vn'],
    ['a@b@c.com', 'c.com'],
    ['no-at-sign', ''],
  ])('%s → %s', (input, expected) => {
    expect(emailDomain(input)).toBe(expected);
  });
});
