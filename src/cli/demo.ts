/**
 * `hotlead demo`: realistic Vietnamese B2B sample leads and events across channels (web,
 * email, webinar, Zalo, BANT from a rep), ingested through the same path as the API, then the
 * SQL alerts are dispatched (they print through the console channel) and one lead explained.
 */
import { renderExplanation } from '../bot/render-explanation.ts';
import { ingestEvents } from '../domain/ingest.ts';
import { explainLead } from '../domain/leads.ts';
import type { Runtime } from '../runtime.ts';
import type { Lang } from '../scoring/types.ts';

const DAY = 86_400_000;

interface DemoLead {
  lead: Record<string, unknown>;
  events: [daysAgo: number, type: string, properties?: Record<string, unknown>][];
}

const LEADS: DemoLead[] = [
  {
    lead: {
      email: 'lan.nguyen@thepviet.vn',
      phone: '0912 345 678',
      name: 'Nguyễn Thị Lan',
      title: 'Giám đốc kinh doanh',
      company: 'Công ty TNHH Thép Việt',
      companySize: 350,
      industry: 'Manufacturing',
      city: 'Hà Nội',
    },
    events: [
      [12, 'newsletter_signup'],
      [9, 'webinar_attended', { webinar: 'Tự động hoá bán hàng B2B 2026' }],
      [3, 'page_view', { url: 'https://hotlead.vn/bang-gia' }],
      [
        2,
        'bant_update',
        {
          budget: 'khoảng 300 triệu',
          authority: 'chị ấy là giám đốc, chị quyết',
          timeline: 'trước Tết',
          source: 'rep:an',
        },
      ],
      [0.02, 'quote_request', { form: 'Báo giá gói Doanh nghiệp' }],
    ],
  },
  {
    lead: {
      email: 'khoa.tran@finviet.com.vn',
      name: 'Trần Minh Khoa',
      title: 'CTO',
      company: 'FinViet JSC',
      companySize: 120,
      industry: 'Fintech',
      city: 'TP. Hồ Chí Minh',
    },
    events: [
      [20, 'content_download', { asset: 'Lead scoring playbook' }],
      [6, 'email_click', { campaign: 'Nov webinar' }],
      [5, 'webinar_attended'],
      [1, 'page_view', { url: 'https://hotlead.vn/pricing' }],
      [
        0.5,
        'bant_update',
        {
          need: 'need to route Zalo leads to 15 sales reps automatically',
          timeline: 'within 2 months',
          budget: '$12k',
        },
      ],
      [0.01, 'page_view', { url: 'https://hotlead.vn/pricing' }],
    ],
  },
  {
    lead: {
      phone: '+84 903 111 222',
      zaloUserId: '4471902318820119',
      name: 'Phạm Thu Hà',
      title: 'Trưởng phòng Marketing',
      company: 'Công ty CP Bán lẻ Sao Mai',
      companySize: 600,
      industry: 'Retail',
    },
    events: [
      [4, 'zalo_follow'],
      [4, 'zalo_message', { text: 'Cho em hỏi bảng giá gói cho chuỗi 40 cửa hàng ạ' }],
      [3, 'zalo_message', { text: 'Bên em cần trong quý 1 năm sau' }],
      [1, 'form_submit', { form: 'Tư vấn' }],
    ],
  },
  {
    lead: {
      email: 'hoang.nam.sv@gmail.com',
      name: 'Lê Hoàng Nam',
      title: 'Sinh viên',
      company: 'Đại học Bách khoa',
    },
    events: [
      [15, 'content_download', { asset: 'Ebook: CRM cho người mới' }],
      [14, 'email_open'],
      [2, 'page_view', { url: 'https://hotlead.vn/blog/crm-la-gi' }],
    ],
  },
  {
    lead: {
      email: 'minh.vo@logistar.vn',
      name: 'Võ Quang Minh',
      title: 'Operations Manager',
      company: 'Logistar Logistics',
      companySize: 80,
      industry: 'Logistics',
    },
    events: [
      [40, 'event_registration', { event: 'Vietnam Logistics Expo' }],
      [38, 'email_open'],
      [8, 'email_open'],
      [7, 'email_click'],
      [2, 'page_view', { url: 'https://hotlead.vn/tinh-nang' }],
    ],
  },
  {
    lead: {
      email: 'ceo@anphatsoft.vn',
      name: 'Đặng Văn An',
      title: 'Founder & CEO',
      company: 'An Phát Software',
      companySize: 45,
      industry: 'Software',
    },
    events: [
      [1, 'page_view', { url: 'https://hotlead.vn/' }],
      [0.03, 'demo_request', { form: 'Đặt lịch demo' }],
    ],
  },
  {
    lead: {
      email: 'thao.bui@hanoiretail.vn',
      name: 'Bùi Phương Thảo',
      title: 'Purchasing Executive',
      company: 'Hanoi Retail Group',
      companySize: 220,
      industry: 'Retail',
    },
    events: [
      [70, 'webinar_attended'],
      [65, 'page_view', { url: 'https://hotlead.vn/bang-gia' }],
      [60, 'email_open'],
    ],
  },
  {
    lead: {
      email: 'quang.do@vietship.vn',
      name: 'Đỗ Nhật Quang',
      title: 'Head of Sales',
      company: 'VietShip',
      companySize: 150,
      industry: 'E-commerce',
    },
    events: [
      [10, 'webinar_attended'],
      [6, 'content_download'],
      [3, 'page_view', { url: 'https://hotlead.vn/bao-gia' }],
      [1, 'email_bounce'],
      [0.5, 'unsubscribe'],
    ],
  },
];

export async function runDemo(rt: Runtime, opts: { lang: Lang; print: (s: string) => void }): Promise<void> {
  const { lang, print } = opts;
  const now = Date.now();
  const events = LEADS.flatMap((l, i) =>
    l.events.map(([daysAgo, type, properties], j) => ({
      id: `demo-${i + 1}-${j + 1}`,
      type,
      occurredAt: new Date(now - daysAgo * DAY).toISOString(),
      lead: l.lead,
      ...(properties ? { properties } : {}),
    })),
  );
  print(
    lang === 'vi'
      ? `Nạp ${LEADS.length} lead mẫu và ${events.length} sự kiện (web, email, webinar, Zalo, BANT)…`
      : `Loading ${LEADS.length} sample leads and ${events.length} events (web, email, webinar, Zalo, BANT)…`,
  );
  const results = await ingestEvents(rt.ingest, events, { source: 'demo' });
  const accepted = results.filter((r) => r.status === 'accepted').length;
  if (accepted === 0) {
    print(
      lang === 'vi'
        ? 'Dữ liệu mẫu đã có sẵn từ lần chạy trước.'
        : 'The sample data was already loaded by an earlier run.',
    );
  }
  await rt.startWorker();
  await rt.queue.drain(60_000);
  const hot = results.find((r) => r.status !== 'rejected')?.leadId;
  if (hot) {
    const e = await explainLead(rt.read, hot);
    print('');
    print(lang === 'vi' ? '— Vì sao lead này nóng? —' : '— Why is this lead hot? —');
    print(
      renderExplanation(e, lang, {
        ...(e.lead.name ? { name: e.lead.name } : {}),
        ...(e.lead.company ? { company: e.lead.company } : {}),
      }),
    );
  }
  print('');
  print(
    lang === 'vi'
      ? 'Tiếp theo: `npx hotlead top`, `npx hotlead chat` (gõ “vì sao lan.nguyen@thepviet.vn”), `npx hotlead start`.'
      : 'Next: `npx hotlead top`, `npx hotlead chat` (type “why lan.nguyen@thepviet.vn”), `npx hotlead start`.',
  );
}
