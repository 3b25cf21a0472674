/**
 * What a partner channel may be granted (issue 11, S2). Each scope opens resident operations to the
 * resident sessions a channel opens (CHANNEL_SCOPE in src/use-cases/access.ts); `mobile:attest`
 * lets a channel vouch for a mobile number it verified itself (channelActForUser without the
 * platform's sign-in code).
 */
export const CHANNEL_SCOPES = [
  'code:read',
  'application:read',
  'application:write',
  'place:scan',
  'family:read',
  'family:write',
  'arrival:read',
  'arrival:write',
  'notices:read',
  'mobile:attest',
] as const;
export type ChannelScope = (typeof CHANNEL_SCOPES)[number];
