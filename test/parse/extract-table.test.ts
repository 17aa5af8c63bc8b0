/**
 * The lead-detail extraction table: real-style Zalo / Slack / form messages in Vietnamese with
 * and without diacritics, English and mixed, and exactly what extractLeadDetails must read from
 * each (fields absent when not found). Many rows must read NOTHING (or only an intent): order
 * codes, bank accounts, tax codes, ID cards, years, revenue, capital, product prices, payments
 * and appointment dates are neither phones, budgets nor timelines. Companies named without a
 * company word ("giám đốc Thép Việt", "Lan ở FPT", "CTO of Acme") are read; cities, people,
 * departments, products and lower-case words after those cues are not companies.
 *
 * Timelines are relative to NOW = 2026-11-23 in Vietnam; the next Tết is 2027-02-06, so
 * "trước Tết" is decided by 2027-02-05.
 */
import { describe, expect, it } from 'vitest';
import {
  describeExtraction,
  type Extraction,
  extractLeadDetails,
  LEAD_FIELDS,
  type LeadDetails,
  mergeExtractions,
} from '../../src/parse/extract.ts';

const NOW = Date.UTC(2026, 10, 23, 3); // 2026-11-23 10:00 Asia/Ho_Chi_Minh

type Category =
  | 'phone'
  | 'not-a-phone'
  | 'identity'
  | 'budget'
  | 'timeline'
  | 'size'
  | 'intent'
  | 'nothing'
  | 'mixed'
  | 'company'
  | 'not-a-company';
type Row = readonly [category: Category, text: string, expected: LeadDetails];

const TABLE: readonly Row[] = [
  ['phone', 'sđt em 0912 345 678 nhé', { phone: '+84912345678' }],
  ['phone', 'Số em: 0987.654.321', { phone: '+84987654321' }],
  ['phone', 'zalo 0345-678-901', { phone: '+84345678901' }],
  ['phone', '+84 912 345 678', { phone: '+84912345678' }],
  ['phone', '(+84) 0903 123 456', { phone: '+84903123456' }],
  ['phone', '84 912 345 678', { phone: '+84912345678' }],
  ['phone', 'Anh gọi em số 0708 123 456 nhé', { phone: '+84708123456', intent: 'callback' }],
  ['phone', 'hotline công ty: 028 3823 4567', { phone: '+842838234567' }],
  ['phone', 'My phone is +65 8123 4567', { phone: '+6581234567' }],
  ['phone', 'call me at 0563 456 789', { phone: '+84563456789', intent: 'callback' }],
  [
    'phone',
    'SĐT: 0812345678, email lan.pham@gmail.com',
    { phone: '+84812345678', email: 'lan.pham@gmail.com' },
  ],
  ['phone', 'dt 098 7654 321', { phone: '+84987654321' }],
  ['not-a-phone', 'Chuyển khoản vào STK 0912345678 MB Bank giúp em', {}],
  ['not-a-phone', 'MST 0312345678', {}],
  ['not-a-phone', 'Mã đơn hàng của em là 0912345678, sao chưa giao?', {}],
  ['not-a-phone', 'order #0987654321 still not delivered', {}],
  ['not-a-phone', 'CCCD 001099012345', {}],
  ['not-a-phone', 'số hợp đồng 0905123456 ký năm 2025', {}],
  ['not-a-phone', 'Năm 2024 bên em đã dùng phần mềm khác', {}],
  ['not-a-phone', 'Doanh thu năm 2025 của bên em khoảng 50 tỷ', {}],
  ['not-a-phone', 'Em mua cái máy giá 5 triệu hôm qua', {}],
  ['not-a-phone', 'Đơn hàng DH20240001 giao chưa ạ', {}],
  ['not-a-phone', 'Hẹn anh 15/12 qua văn phòng nhé', {}],
  ['not-a-phone', 'Vốn điều lệ 10 tỷ, 120 nhân viên', { companySize: 120 }],
  [
    'identity',
    'Tôi là Nguyễn Văn An, giám đốc Công ty TNHH Thép Việt',
    { name: 'Nguyễn Văn An', company: 'Thép Việt', title: 'giám đốc', authority: 'decision_maker' },
  ],
  [
    'identity',
    'em tên Minh, sdt 0987.654.321, email minh.tran@finviet.vn',
    { name: 'Minh', phone: '+84987654321', email: 'minh.tran@finviet.vn' },
  ],
  [
    'identity',
    'toi ten la nguyen thi thu, sdt 84 912 345 678',
    { name: 'Nguyen Thi Thu', phone: '+84912345678' },
  ],
  [
    'identity',
    'Mình là Hoa bên Vinamilk, cần báo giá gấp',
    { name: 'Hoa', company: 'Vinamilk', timeline: { monthsMax: 1 }, intent: 'pricing' },
  ],
  [
    'identity',
    'anh Khoa ở công ty Hòa Phát muốn xem demo',
    { name: 'Khoa', company: 'Hòa Phát', intent: 'demo' },
  ],
  ['identity', 'chị Lan bên Masan muốn dùng thử', { name: 'Lan', company: 'Masan', intent: 'demo' }],
  [
    'identity',
    'Em là Trang, trưởng phòng mua hàng Công ty CP Nhựa Bình Minh. Cần báo giá 50 bộ, ngân sách khoảng 80tr',
    {
      name: 'Trang',
      company: 'Nhựa Bình Minh',
      title: 'trưởng phòng mua hàng',
      need: 'Cần báo giá 50 bộ',
      budget: { amount: 80000000, currency: 'VND' },
      authority: 'influencer',
      intent: 'pricing',
    },
  ],
  ['identity', 'Bên em là FinViet, công ty 200 người', { company: 'FinViet', companySize: 200 }],
  [
    'identity',
    'anh tên khoa, cty thep viet, 0903 123 456',
    { name: 'Khoa', phone: '+84903123456', company: 'Thep Viet' },
  ],
  [
    'identity',
    'toi la giam doc cong ty co phan dau tu sao viet, ngan sach 2 ty',
    {
      company: 'Dau Tu Sao Viet',
      title: 'giam doc',
      budget: { amount: 2000000000, currency: 'VND' },
      authority: 'decision_maker',
    },
  ],
  [
    'identity',
    'Xin chào, em là kế toán công ty ABC, sếp em muốn xem demo',
    { company: 'ABC', title: 'kế toán', intent: 'demo' },
  ],
  [
    'identity',
    'Chị là trưởng phòng kinh doanh, phải trình giám đốc duyệt',
    { title: 'trưởng phòng kinh doanh', authority: 'influencer' },
  ],
  ['identity', 'em la nhan vien, sep em quyet dinh', { title: 'nhan vien', authority: 'influencer' }],
  [
    'identity',
    "I'm the owner of a small spa, 8 staff",
    { title: 'owner', companySize: 8, authority: 'decision_maker' },
  ],
  [
    'identity',
    "Hi, I'm John, sales manager at Acme Logistics. Could you send me a quote?",
    {
      name: 'John',
      company: 'Acme Logistics',
      title: 'sales manager',
      authority: 'influencer',
      intent: 'pricing',
    },
  ],
  [
    'identity',
    'Hello, this is Mai from FinViet. We need a CRM for 30 sales reps, budget is 300 million VND.',
    {
      name: 'Mai',
      company: 'FinViet',
      need: 'need a CRM for 30 sales reps',
      budget: { amount: 300000000, currency: 'VND' },
    },
  ],
  [
    'identity',
    "Can I get a demo? My name is John Smith, I'm the CTO at Acme Corp.",
    { name: 'John Smith', company: 'Acme Corp', title: 'CTO', authority: 'decision_maker', intent: 'demo' },
  ],
  ['identity', "I'm Sarah from Hanoi", { name: 'Sarah' }],
  ['budget', 'ngân sách tầm 500 triệu', { budget: { amount: 500000000, currency: 'VND' } }],
  [
    'budget',
    'ngan sach khoang 1,5 ty, can truoc tet',
    { budget: { amount: 1500000000, currency: 'VND' }, timeline: { monthsMax: 3, decideBy: '2027-02-05' } },
  ],
  ['budget', 'kinh phí dự kiến 1 tỷ 2', { budget: { amount: 1200000000, currency: 'VND' } }],
  ['budget', 'Budget khoảng 300k/tháng', { budget: { amount: 300000, currency: 'VND' } }],
  ['budget', 'bên mình chưa có ngân sách, chỉ tham khảo thôi', { budget: 'none' }],
  ['budget', "We don't have a budget yet", { budget: 'none' }],
  ['budget', 'budget is tight, maybe 50-100 triệu', { budget: { amount: 50000000, currency: 'VND' } }],
  ['budget', 'ngân sách dưới 50 triệu', {}],
  ['budget', 'Ngân sách tối đa $10k', { budget: { amount: 10000, currency: 'USD' } }],
  ['budget', 'Giá sản phẩm bên em là 500k/tháng đúng không?', { intent: 'pricing' }],
  ['timeline', 'dự kiến quyết định trước 15/1/2027', { timeline: { monthsMax: 2, decideBy: '2027-01-14' } }],
  [
    'timeline',
    'Mình cần triển khai gấp trong tuần sau',
    { timeline: { monthsMax: 1, decideBy: '2026-12-06' } },
  ],
  ['timeline', 'Tháng sau bên anh mới chốt được', { timeline: { monthsMax: 2, decideBy: '2026-12-31' } }],
  [
    'timeline',
    'không cần gấp đâu, chắc tầm 2-3 tháng nữa mới quyết',
    { timeline: { monthsMin: 2, monthsMax: 3 } },
  ],
  [
    'timeline',
    'Bên anh có 1.200 nhân sự, cần triển khai trước Tết',
    { companySize: 1200, timeline: { monthsMax: 3, decideBy: '2027-02-05' } },
  ],
  ['timeline', 'du kien trien khai quy 2 nam sau', { timeline: { monthsMax: 8, decideBy: '2027-06-30' } }],
  ['timeline', 'We plan to roll out in Q3 2027', { timeline: { monthsMax: 11, decideBy: '2027-09-30' } }],
  ['timeline', 'Need it by next month', { timeline: { monthsMax: 2, decideBy: '2026-12-31' } }],
  ['timeline', 'gói 12 tháng giá bao nhiêu vậy', { intent: 'pricing' }],
  [
    'timeline',
    'em muốn đặt 10 cái, giao trước ngày 20/12',
    { need: 'muốn đặt 10 cái', timeline: { monthsMax: 1, decideBy: '2026-12-19' } },
  ],
  ['size', 'Công ty em có 500 nhân viên, doanh thu 200 tỷ/năm', { companySize: 500 }],
  ['size', 'quy mô 50-100 nhân sự', { companySize: 50 }],
  [
    'size',
    "We're a team of 50, budget around $10k, need to decide by end of March",
    {
      companySize: 50,
      budget: { amount: 10000, currency: 'USD' },
      timeline: { monthsMax: 5, decideBy: '2027-03-31' },
    },
  ],
  ['size', 'cty minh khoang 30 nguoi', { companySize: 30 }],
  ['size', 'phần mềm cho 20 người dùng giá bao nhiêu', { intent: 'pricing' }],
  ['intent', 'toi can bao gia', { intent: 'pricing' }],
  ['intent', 'Cho em xin bảng giá phần mềm ạ', { intent: 'pricing' }],
  ['intent', 'Giá bao nhiêu vậy shop?', { intent: 'pricing' }],
  ['intent', 'bao nhieu tien 1 thang vay ad', { intent: 'pricing' }],
  ['intent', 'How much is the Pro plan?', { intent: 'pricing' }],
  ['intent', 'cho em gặp nhân viên tư vấn', { intent: 'human' }],
  ['intent', 'gap nhan vien giup em', { intent: 'human' }],
  ['intent', 'Mình muốn nói chuyện với người thật', { intent: 'human' }],
  ['intent', "I'd like to talk to a person please", { intent: 'human' }],
  ['intent', 'có tư vấn viên không ạ', { intent: 'human' }],
  ['intent', 'cho em dung thu ban mien phi', { intent: 'demo' }],
  ['intent', 'Do you offer a free trial?', { intent: 'demo' }],
  ['intent', 'hủy đăng ký giúp mình', { intent: 'unsubscribe' }],
  ['intent', 'dung nhan tin cho toi nua', { intent: 'unsubscribe' }],
  ['intent', 'Tôi cần tư vấn viên gọi lại', { intent: 'human' }],
  ['nothing', 'Hi', {}],
  ['nothing', 'Chào shop', {}],
  ['nothing', 'cảm ơn shop nhiều', {}],
  ['nothing', 'Ok em cảm ơn', {}],
  ['nothing', '👍', {}],
  ['nothing', '?', {}],
  ['nothing', 'Dạ vâng ạ', {}],
  ['nothing', 'Thanks, have a nice day!', {}],
  ['nothing', 'Bạn có bán hàng cho doanh nghiệp nhỏ không?', {}],
  ['mixed', 'em ở Hà Nội, bên em cần phần mềm bán hàng', { need: 'cần phần mềm bán hàng' }],
  [
    'mixed',
    'Bên mình có khoảng 30 nhân viên, đang quản lý khách hàng bằng Excel',
    { companySize: 30, need: 'đang quản lý khách hàng bằng Excel' },
  ],
  [
    'mixed',
    'We are 15 people, looking for a simple CRM. Budget up to 2000 USD. Need it by next month.',
    {
      companySize: 15,
      need: 'looking for a simple CRM',
      budget: { amount: 2000, currency: 'USD' },
      timeline: { monthsMax: 2, decideBy: '2026-12-31' },
    },
  ],
  ['not-a-phone', 'Tôi sinh năm 1990', {}],
  ['not-a-phone', 'Giao hàng về 123 Nguyễn Trãi, Q5 giúp em', {}],
  ['not-a-phone', 'Tài khoản 19036677889900 Techcombank', {}],
  ['not-a-phone', 'Mã giảm giá SALE2024 còn dùng được không', {}],
  ['not-a-phone', 'Em chuyển 5.000.000đ rồi nhé', {}],
  ['not-a-phone', 'Mã vận đơn 0912345678', {}],
  ['identity', 'Em là Lan, 0912345678 – 0987654321', { name: 'Lan', phone: '+84912345678' }],
  ['budget', 'ngân sách khoảng 200 củ', { budget: { amount: 200000000, currency: 'VND' } }],
  ['budget', 'Ngan sach tam 2 tram trieu', {}],
  [
    'mixed',
    'toi muon dung thu, ngan sach 50tr, quyet trong thang nay',
    {
      budget: { amount: 50000000, currency: 'VND' },
      timeline: { monthsMax: 1, decideBy: '2026-11-30' },
      intent: 'demo',
    },
  ],
  // Companies named without "công ty": after a title, "của/tại/ở", the lead's name, a dash.
  [
    'company',
    'Em là Lan, giám đốc Thép Việt, sđt 0912.345.678, cần báo giá phần mềm CRM',
    {
      name: 'Lan',
      phone: '+84912345678',
      company: 'Thép Việt',
      title: 'giám đốc',
      need: 'cần báo giá phần mềm CRM',
      authority: 'decision_maker',
      intent: 'pricing',
    },
  ],
  [
    'company',
    'Tôi là trưởng phòng kinh doanh của Hòa Phát',
    { company: 'Hòa Phát', title: 'trưởng phòng kinh doanh', authority: 'influencer' },
  ],
  [
    'company',
    'Anh là giám đốc tại FPT, cần demo gấp',
    {
      company: 'FPT',
      title: 'giám đốc',
      authority: 'decision_maker',
      timeline: { monthsMax: 1 },
      intent: 'demo',
    },
  ],
  [
    'company',
    'Chị Hương bên Minh Long Logistics muốn xem demo',
    { name: 'Hương', company: 'Minh Long Logistics', intent: 'demo' },
  ],
  [
    'company',
    'Em là Lan ở Thép Việt, gọi lại cho em nhé',
    { name: 'Lan', company: 'Thép Việt', intent: 'callback' },
  ],
  ['company', 'Mình làm ở VNG, cần báo giá', { company: 'VNG', intent: 'pricing' }],
  ['company', 'mình ở FPT', { company: 'FPT' }],
  ['company', 'Em là Lan - Thép Việt, cần báo giá', { name: 'Lan', company: 'Thép Việt', intent: 'pricing' }],
  [
    'company',
    'Tôi là CEO FinViet, bên tôi có 200 nhân viên',
    { company: 'FinViet', title: 'CEO', companySize: 200, authority: 'decision_maker' },
  ],
  ['company', 'Em làm việc tại Hòa Phát, cần báo giá', { company: 'Hòa Phát', intent: 'pricing' }],
  [
    'company',
    'Em là Tuấn, nhân viên của Thép Việt',
    { name: 'Tuấn', company: 'Thép Việt', title: 'nhân viên', authority: 'user' },
  ],
  [
    'company',
    'em la Lan, giam doc Thep Viet, sdt 0912345678',
    {
      name: 'Lan',
      phone: '+84912345678',
      company: 'Thep Viet',
      title: 'giam doc',
      authority: 'decision_maker',
    },
  ],
  [
    'company',
    'toi la truong phong mua hang cua Hoa Phat',
    { company: 'Hoa Phat', title: 'truong phong mua hang', authority: 'influencer' },
  ],
  ['company', 'minh lam o FPT, can bao gia', { company: 'FPT', intent: 'pricing' }],
  ['company', 'em la Lan o Thep Viet', { name: 'Lan', company: 'Thep Viet' }],
  [
    'company',
    "I'm the CTO of Acme Logistics, we need a CRM",
    { company: 'Acme Logistics', title: 'CTO', need: 'need a CRM', authority: 'decision_maker' },
  ],
  [
    'company',
    'This is Mai at FinViet, can I get a quote?',
    { name: 'Mai', company: 'FinViet', intent: 'pricing' },
  ],
  [
    'company',
    "Hi, I'm John, head of sales at MoMo",
    { name: 'John', company: 'MoMo', title: 'head of sales', authority: 'influencer' },
  ],
  ['company', 'My name is John Smith - Acme Corp', { name: 'John Smith', company: 'Acme Corp' }],
  // After "công ty" a place may start the name; after "bên", a family name (Nguyễn Kim, a retailer).
  ['company', 'Em là Mai, công ty Sài Gòn Tourist', { name: 'Mai', company: 'Sài Gòn Tourist' }],
  [
    'company',
    'Anh Khoa bên Nguyễn Kim cần báo giá',
    { name: 'Khoa', company: 'Nguyễn Kim', intent: 'pricing' },
  ],
  // The company stops before the phone.
  ['company', 'cty ABC 0912345678', { phone: '+84912345678', company: 'ABC' }],
  // Not companies: cities and districts, people, departments, products, lower-case words.
  ['not-a-company', 'Em là Lan, ở Hà Nội, cần báo giá', { name: 'Lan', intent: 'pricing' }],
  ['not-a-company', 'em ở Sài Gòn, muốn dùng thử', { intent: 'demo' }],
  ['not-a-company', 'em o Ha Noi, can bao gia', { intent: 'pricing' }],
  ['not-a-company', 'Anh Khoa ở TP.HCM', { name: 'Khoa' }],
  ['not-a-company', 'Em là Lan ở HN', { name: 'Lan' }],
  ['not-a-company', 'Em là Lan ở Bình Thạnh', { name: 'Lan' }],
  ['not-a-company', 'Em là Lan ở Quận 7, sđt 0912345678', { name: 'Lan', phone: '+84912345678' }],
  ['not-a-company', "I'm Sarah from Ho Chi Minh City", { name: 'Sarah' }],
  ['not-a-company', 'anh Tuấn bên kế toán gọi lại cho em', { name: 'Tuấn', intent: 'callback' }],
  ['not-a-company', 'Chị Hương bên Kế Toán', { name: 'Hương' }],
  ['not-a-company', 'anh Tuấn bên IT', { name: 'Tuấn' }],
  ['not-a-company', 'Em là Lan - Kế toán', { name: 'Lan', title: 'Kế toán' }],
  ['not-a-company', 'phải trình giám đốc Tuấn duyệt', { authority: 'influencer' }],
  ['not-a-company', 'Giám đốc Nguyễn Văn An bảo em liên hệ', {}],
  ['not-a-company', 'Our CEO Mark wants a demo', { intent: 'demo' }],
  ['not-a-company', 'CEO John will call you', {}],
  ['not-a-company', 'Em vừa đọc bài phỏng vấn CEO Hòa Phát', {}],
  ['not-a-company', 'em làm ở Vinh, cần báo giá', { intent: 'pricing' }],
  ['not-a-company', 'cần phần mềm CRM cho đội sales', { need: 'cần phần mềm CRM cho đội sales' }],
  ['not-a-company', 'Chào anh, em thấy quảng cáo bên Facebook', {}],
  [
    'not-a-company',
    'Tôi là giám đốc, cần xem demo',
    { title: 'giám đốc', authority: 'decision_maker', intent: 'demo' },
  ],
  [
    'not-a-company',
    'em la lan, giam doc thep viet',
    { name: 'Lan', title: 'giam doc', authority: 'decision_maker' },
  ],
  // A name typed in lower case stops at the dash; a lower-case company is not guessed.
  ['not-a-company', 'em la lan - thep viet', { name: 'Lan' }],
];

/** The values only (confidence and provenance are checked separately). */
function valuesOf(e: Extraction): LeadDetails {
  const { confidence: _c, fields: _f, ...values } = e;
  return values;
}

describe('extraction table', () => {
  it('has at least 80 messages, 15 of them with nothing (or only an intent) to read', () => {
    expect(TABLE.length).toBeGreaterThanOrEqual(80);
    const empty = TABLE.filter(([, , e]) => Object.keys(e).every((k) => k === 'intent'));
    expect(empty.length).toBeGreaterThanOrEqual(15);
  });

  it('has companies without a company word, and as many look-alikes that are not companies', () => {
    const rows = (category: Category) => TABLE.filter(([c]) => c === category);
    expect(rows('company').length).toBeGreaterThanOrEqual(15);
    expect(rows('company').every(([, , e]) => e.company !== undefined)).toBe(true);
    expect(rows('not-a-company').length).toBeGreaterThanOrEqual(15);
    expect(rows('not-a-company').every(([, , e]) => e.company === undefined)).toBe(true);
  });

  it.each(TABLE)('[%s] %s', (_category, text, expected) => {
    const e = extractLeadDetails(text, { now: NOW });
    expect(valuesOf(e)).toEqual(expected);
    // Provenance for exactly the fields present, all from the parser, confidences in (0, 1].
    const present = LEAD_FIELDS.filter((k) => e[k] !== undefined);
    expect(Object.keys(e.fields).sort()).toEqual([...present].sort());
    for (const p of Object.values(e.fields)) {
      expect(p.extractor).toBe('parser');
      expect(p.confidence).toBeGreaterThan(0);
      expect(p.confidence).toBeLessThanOrEqual(1);
    }
    if (present.length === 0) expect(e.confidence).toBe(0);
    else expect(e.confidence).toBeGreaterThan(0);
  });
});

/** The 63 provinces and centrally-run cities, as people write them, and the usual short forms. */
const PROVINCES = [
  'An Giang',
  'Bà Rịa - Vũng Tàu',
  'Bắc Giang',
  'Bắc Kạn',
  'Bạc Liêu',
  'Bắc Ninh',
  'Bến Tre',
  'Bình Định',
  'Bình Dương',
  'Bình Phước',
  'Bình Thuận',
  'Cà Mau',
  'Cần Thơ',
  'Cao Bằng',
  'Đà Nẵng',
  'Đắk Lắk',
  'Đắk Nông',
  'Điện Biên',
  'Đồng Nai',
  'Đồng Tháp',
  'Gia Lai',
  'Hà Giang',
  'Hà Nam',
  'Hà Nội',
  'Hà Tĩnh',
  'Hải Dương',
  'Hải Phòng',
  'Hậu Giang',
  'Hòa Bình',
  'Hưng Yên',
  'Khánh Hòa',
  'Kiên Giang',
  'Kon Tum',
  'Lai Châu',
  'Lâm Đồng',
  'Lạng Sơn',
  'Lào Cai',
  'Long An',
  'Nam Định',
  'Nghệ An',
  'Ninh Bình',
  'Ninh Thuận',
  'Phú Thọ',
  'Phú Yên',
  'Quảng Bình',
  'Quảng Nam',
  'Quảng Ngãi',
  'Quảng Ninh',
  'Quảng Trị',
  'Sóc Trăng',
  'Sơn La',
  'Tây Ninh',
  'Thái Bình',
  'Thái Nguyên',
  'Thanh Hóa',
  'Thừa Thiên Huế',
  'Tiền Giang',
  'Trà Vinh',
  'Tuyên Quang',
  'Vĩnh Long',
  'Vĩnh Phúc',
  'Yên Bái',
  'Hồ Chí Minh',
];
const CITY_SHORT_FORMS = ['TP.HCM', 'TPHCM', 'HCM', 'HN', 'Sài Gòn', 'Saigon', 'Hanoi', 'Huế', 'Vũng Tàu'];

describe('places are not companies', () => {
  it('lists the 63 provinces', () => {
    expect(new Set(PROVINCES).size).toBe(63);
  });

  it.each([...PROVINCES, ...CITY_SHORT_FORMS])(
    '%s, with and without diacritics, after every cue',
    (place) => {
      const plain = place
        .normalize('NFD')
        .replace(/[\u0300-\u036f]/g, '')
        .replace(/Đ/g, 'D');
      for (const p of [place, plain]) {
        for (const text of [
          `Em là Lan ở ${p}`,
          `mình ở ${p}`,
          `em làm ở ${p}`,
          `anh Khoa bên ${p}`,
          `Lan, giám đốc ${p}`,
          `Em là Lan - ${p}`,
          `I'm Mai from ${p}`,
        ]) {
          expect(extractLeadDetails(text, { now: NOW }).company, text).toBeUndefined();
        }
      }
    },
  );
});

describe('provenance, confidence and merge', () => {
  it('trusts a company word more than a title or a name before the company', () => {
    const confidence = (text: string) => extractLeadDetails(text, { now: NOW }).fields.company?.confidence;
    expect(confidence('Em là Lan, giám đốc Công ty Thép Việt')).toBe(0.85);
    expect(confidence('Tôi là trưởng phòng của Thép Việt')).toBe(0.75);
    expect(confidence('Em là Lan, giám đốc Thép Việt')).toBe(0.7);
    expect(confidence('Em là Lan ở Thép Việt')).toBe(0.6);
    expect(confidence('Em là Lan - Thép Việt')).toBe(0.6);
  });

  it('keeps the message id in each field and 0 confidence when nothing is read', () => {
    const e = extractLeadDetails('sđt 0912 345 678, báo giá giúp em', { now: NOW, messageId: 'm-1' });
    expect(e.fields).toEqual({
      phone: { extractor: 'parser', confidence: 0.95, messageId: 'm-1' },
      intent: { extractor: 'parser', confidence: 0.9, messageId: 'm-1' },
    });
    expect(e.confidence).toBe(0.93);
    expect(extractLeadDetails('Dạ vâng ạ', { now: NOW })).toEqual({ confidence: 0, fields: {} });
  });

  it('is deterministic: the same text and now give the same result', () => {
    for (const [, text] of TABLE) {
      expect(extractLeadDetails(text, { now: NOW })).toEqual(extractLeadDetails(text, { now: NOW }));
    }
  });

  it('merges: parser values win, the LLM only fills absent fields, marked llm with its confidence', () => {
    const parsed = extractLeadDetails('Ngan sach tam 2 tram trieu, sdt 0912345678', { now: NOW });
    expect(parsed.budget).toBeUndefined();
    const merged = mergeExtractions(parsed, {
      phone: '+84987654321',
      budget: { amount: 200_000_000, currency: 'VND' },
      name: 'Lan',
      confidence: 0.7,
      fields: { budget: { extractor: 'llm', confidence: 0.8 } },
    });
    expect(merged).toEqual({
      name: 'Lan',
      phone: '+84912345678',
      budget: { amount: 200_000_000, currency: 'VND' },
      confidence: 0.82,
      fields: {
        phone: { extractor: 'parser', confidence: 0.95 },
        budget: { extractor: 'llm', confidence: 0.8 },
        name: { extractor: 'llm', confidence: 0.7 },
      },
    });
    // Documented order in JSON: the fields, then confidence, then provenance.
    expect(Object.keys(merged)).toEqual(['name', 'phone', 'budget', 'confidence', 'fields']);
    expect(mergeExtractions(parsed, null)).toBe(parsed);
  });

  it('describes an extraction in Vietnamese and English', () => {
    const e = extractLeadDetails('Em là Lan, sđt 0912 345 678, ngân sách 200 triệu, cần trước Tết', {
      now: NOW,
    });
    expect(describeExtraction(e, 'vi').split('\n')).toEqual([
      'Tên: Lan (0,8)',
      'Số điện thoại: +84912345678 (0,95)',
      'Ngân sách: 200.000.000 ₫ (0,95)',
      'Thời gian: Trước 06/02/2027 (Tết) (0,8)',
      'Độ tin cậy: 0,88',
    ]);
    expect(describeExtraction(e, 'en')).toContain('Phone: +84912345678 (0.95)');
    const empty = extractLeadDetails('ok', { now: NOW });
    expect(describeExtraction(empty, 'vi')).toBe('Không nhận ra thông tin nào');
    expect(describeExtraction(empty, 'en')).toBe('Nothing recognised');
  });
});
