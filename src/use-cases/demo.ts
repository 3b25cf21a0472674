import { formatChinaTime, chinaDate } from '../domain/china-time.ts';
import { DAY_MS, type EpochMs, type StaffRole } from '../domain/types.ts';
import { gb11643CheckCharacter } from '../domain/identity/index.ts';
import { upsertAccount } from '../storage/accounts.ts';
import { findChannelByClientId, insertChannel } from '../storage/channels.ts';
import { insertRiskArea } from '../storage/risk-areas.ts';
import { findStaffByUsername, insertStaff } from '../storage/staff.ts';
import { findResidentByAccount } from '../storage/residents.ts';
import { submitApplication } from './application.ts';
import { hashChannelSecret } from './channels.ts';
import { addResidentFact } from './facts.ts';
import { hashPassword } from './passwords.ts';
import { announce } from './changes.ts';
import type { Platform } from './platform.ts';
import type { Principal } from './sign-in.ts';
import { addVenueStaff, approveVenue, registerVenue } from './venues.ts';

/** Demo accounts; these passwords exist only in demo mode and are printed in the start banner. */
export const DEMO_STAFF: readonly {
  username: string;
  password: string;
  role: StaffRole;
  displayName: string;
  divisionCode: string;
  /** Checkpoint staff of the demo venue (created by its manager, not as a division account). */
  venueStaff?: true;
  /** Staff of the demo hospital (issue 11, S17): tied to its venue. */
  hospitalStaff?: true;
}[] = [
  {
    username: 'checkpoint',
    password: 'demo-checkpoint',
    role: 'checkpoint',
    displayName: '历下区查验员 Checkpoint staff',
    divisionCode: '370102',
  },
  {
    username: 'officer',
    password: 'demo-officer',
    role: 'officer',
    displayName: '济南市疫情防控办 District officer',
    divisionCode: '370100',
  },
  {
    username: 'admin',
    password: 'demo-admin',
    role: 'admin',
    displayName: '省级管理员 Provincial admin',
    divisionCode: '000000',
  },
  {
    username: 'venue-gate',
    password: 'demo-venue-gate',
    role: 'checkpoint',
    displayName: '泉城广场东门查验员 Gate staff of the demo venue',
    divisionCode: '370102',
    venueStaff: true,
  },
  {
    username: 'hospital',
    password: 'demo-hospital',
    role: 'hospital',
    displayName: '省立医院挂号处 Registration desk of the demo hospital',
    divisionCode: '370102',
    hospitalStaff: true,
  },
];

/** The demo hospital (issue 11, S17): an approved venue of kind hospital with the hospital account. */
export const DEMO_HOSPITAL = {
  name: '省立医院演示院区 Demo Provincial Hospital',
  kind: 'hospital',
  address: { divisionCode: '370102', detail: '演示路 9 号 Demo Road 9' },
  contact: { name: '张三', mobile: '+8613800000001' },
} as const;

/** The demo venue: approved, managed by the first demo resident, with the venue-gate staff account. */
export const DEMO_VENUE = {
  name: '泉城广场购物中心 Quancheng Square Mall',
  kind: 'mallOrSupermarket',
  address: { divisionCode: '370102', detail: '演示路 1 号 Demo Road 1' },
  contact: { name: '张三', mobile: '+8613800000001' },
} as const;

/** Demo residents: sign in with the mobile number; demo mode returns the one-time code as devCode. `idBody` is the first 17 digits of the ID number. */
export const DEMO_RESIDENTS = [
  { mobile: '+8613800000001', name: '张三', idBody: '37010219900307771', colour: 'green' },
  { mobile: '+8613800000002', name: '李小红', idBody: '37010319850712442', colour: 'yellow' },
  { mobile: '+8613800000003', name: '王大力', idBody: '37010419771130125', colour: 'red' },
] as const;

/**
 * The demo partner channel (issue 11): fixed credentials printed in the demo banner, for
 * examples/channel-client. Demo only — a real channel's secret is random and shown once.
 */
export const DEMO_CHANNEL = {
  name: '演示渠道 Demo partner channel',
  clientId: 'ch_demo-partner-001',
  clientSecret: 'chs_demo-only-secret-printed-in-the-banner',
  scopes: ['code:read', 'application:read', 'application:write', 'place:scan', 'notices:read'],
  rateLimitPerMinute: 600,
} as const;

async function seedDemoChannel(p: Platform): Promise<void> {
  if ((await findChannelByClientId(p.db, DEMO_CHANNEL.clientId)) !== null) return;
  await insertChannel(p.db, {
    clientId: DEMO_CHANNEL.clientId,
    name: DEMO_CHANNEL.name,
    scopes: DEMO_CHANNEL.scopes,
    rateLimitPerMinute: DEMO_CHANNEL.rateLimitPerMinute,
    secretHash: hashChannelSecret(DEMO_CHANNEL.clientSecret),
    createdAt: p.clock.now(),
    createdBy: null,
  });
}

/** Seeds demo data once (idempotent): one staff account of each role, three residents, one risk area. */
export async function seedDemoData(p: Platform): Promise<{ created: boolean }> {
  await seedDemoChannel(p);
  if ((await findStaffByUsername(p.db, 'admin')) !== null) return { created: false };
  const now = p.clock.now();
  for (const s of DEMO_STAFF) {
    if (s.venueStaff === true || s.hospitalStaff === true) continue;
    await insertStaff(p.db, { ...s, passwordHash: await hashPassword(s.password), createdAt: now });
  }
  await insertRiskArea(p.db, {
    id: 'demo-wuhan',
    divisionCode: '420100',
    subArea: null,
    level: 'high',
    from: now - 60 * DAY_MS,
    to: null,
    note: '演示数据 demo: key epidemic area 重点疫区',
    createdAt: now,
    createdBy: null,
  });
  p.riskAreas.invalidate();
  await announce(p, { kind: 'risk_areas' });
  const admin = await findStaffByUsername(p.db, 'admin');
  if (admin === null) throw new Error('demo admin missing');
  const adminPrincipal: Principal = {
    kind: 'staff',
    staffId: admin.id,
    role: 'admin',
    divisionCode: admin.divisionCode,
    divisionCodes: admin.divisionCodes,
    displayName: admin.displayName,
    tokenHash: '',
  };
  for (const r of DEMO_RESIDENTS) {
    const account = await upsertAccount(p.db, r.mobile, now);
    // The check character is computed, so demo numbers are valid without being anybody's.
    const documentNumber = r.idBody + gb11643CheckCharacter(r.idBody);
    await submitApplication(p, account.id, {
      name: r.name,
      documentType: 'resident_id_card',
      documentNumber,
      mobile: r.mobile,
      nationality: 'CN',
      address: { divisionCode: documentNumber.slice(0, 6), detail: '演示路 1 号 Demo Road 1' },
      contactHistory: {},
      pledge: true,
    });
    const fact =
      r.colour === 'yellow'
        ? { kind: 'feverClinic', from: chinaDate((now - 3 * DAY_MS) as EpochMs) }
        : r.colour === 'red'
          ? { kind: 'closeContact', from: formatChinaTime((now - DAY_MS) as EpochMs), isolation: 'home' }
          : null;
    if (fact !== null) {
      await addResidentFact(p, adminPrincipal, { documentType: 'resident_id_card', documentNumber, fact });
    }
    if ((await findResidentByAccount(p.db, account.id)) === null) throw new Error('demo resident missing');
  }
  await seedDemoVenue(p, adminPrincipal);
  return { created: true };
}

async function seedDemoVenue(p: Platform, admin: Principal): Promise<void> {
  const account = await upsertAccount(p.db, DEMO_VENUE.contact.mobile, p.clock.now());
  const manager: Principal = { kind: 'resident', accountId: account.id, tokenHash: '' };
  const venue = await registerVenue(p, manager, DEMO_VENUE);
  await approveVenue(p, admin, venue.venueId);
  for (const s of DEMO_STAFF.filter((x) => x.venueStaff === true)) {
    await addVenueStaff(p, manager, venue.venueId, {
      username: s.username,
      displayName: s.displayName,
      password: s.password,
    });
  }
  const hospital = await registerVenue(p, manager, DEMO_HOSPITAL);
  await approveVenue(p, admin, hospital.venueId);
  const now = p.clock.now();
  for (const s of DEMO_STAFF.filter((x) => x.hospitalStaff === true)) {
    await insertStaff(p.db, {
      ...s,
      passwordHash: await hashPassword(s.password),
      createdAt: now,
      venueId: hospital.venueId,
    });
  }
}
