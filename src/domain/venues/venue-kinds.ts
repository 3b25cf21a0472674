import type { LocalizedText } from '../types.ts';

/**
 * The kinds of venue a place code is issued for. The first eight are S5's "no code, no entry" kinds
 * (八不准进); the seed asks enterprises, restaurants, street shops and building sites to check
 * everyone too, and `other` covers the rest (offices, gyms…) so that no venue is turned away.
 */
export const VENUE_KINDS = [
  'residentialCommunity',
  'mallOrSupermarket',
  'hotel',
  'scenicSpot',
  'school',
  'hospital',
  'governmentServiceHall',
  'station',
  'enterprise',
  'restaurant',
  'streetShop',
  'buildingSite',
  'other',
] as const;
export type VenueKind = (typeof VENUE_KINDS)[number];

/** S5: the eight kinds where no one enters without a code. */
export const NO_CODE_NO_ENTRY_KINDS: readonly VenueKind[] = VENUE_KINDS.slice(0, 8);

/** Labels for pickers, posters and entry logs; the Chinese follows the seed's wording. */
export const VENUE_KIND_LABEL: Readonly<Record<VenueKind, LocalizedText>> = {
  residentialCommunity: { 'zh-CN': '居民小区', en: 'residential community' },
  mallOrSupermarket: { 'zh-CN': '商场超市', en: 'mall or supermarket' },
  hotel: { 'zh-CN': '宾馆酒店', en: 'hotel' },
  scenicSpot: { 'zh-CN': '旅游景区', en: 'scenic spot' },
  school: { 'zh-CN': '学校', en: 'school' },
  hospital: { 'zh-CN': '医院', en: 'hospital' },
  governmentServiceHall: { 'zh-CN': '政务服务大厅', en: 'government service hall' },
  station: { 'zh-CN': '车站', en: 'station' },
  enterprise: { 'zh-CN': '企业', en: 'enterprise' },
  restaurant: { 'zh-CN': '餐饮店', en: 'restaurant' },
  streetShop: { 'zh-CN': '沿街商铺', en: 'street shop' },
  buildingSite: { 'zh-CN': '项目工地', en: 'building site' },
  other: { 'zh-CN': '其他场所', en: 'other venue' },
};

export function isVenueKind(value: unknown): value is VenueKind {
  return typeof value === 'string' && (VENUE_KINDS as readonly string[]).includes(value);
}
