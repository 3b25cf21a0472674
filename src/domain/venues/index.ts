/** Venues (S4, S5) and the checkpoint at their entrance (S6, S11, S12). */
export * from './browser.ts';
export { ADDRESS_DETAIL_MAX, CONTACT_NAME_MAX, VENUE_NAME_MAX, validateVenueInput } from './venue-input.ts';
export type { VenueInput } from './venue-input.ts';
