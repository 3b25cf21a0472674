import { Type } from '@sinclair/typebox';
import type { Reply } from './common.ts';

/** Signing in and out: residents by mobile number and one-time code, staff by password. */

export const MobileBody = Type.Object(
  { mobile: Type.String({ maxLength: 24 }) },
  { additionalProperties: false },
);

export const SignInCodeSent = Type.Object({
  expiresAt: Type.String(),
  devCode: Type.Optional(Type.String({ description: 'demo mode only: the code itself' })),
});

export const SignInBody = Type.Object(
  { mobile: Type.String({ maxLength: 24 }), code: Type.String({ pattern: '^\\d{6}$' }) },
  { additionalProperties: false },
);

export const Session = Type.Object({ token: Type.String(), expiresAt: Type.String() });

export const StaffSignInBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
    totp: Type.Optional(
      Type.String({
        maxLength: 16,
        description:
          'the 6-digit authenticator code: required once enrolled (officers, admins, auditors in production)',
      }),
    ),
  },
  { additionalProperties: false },
);

export const StaffSession = Type.Object({
  token: Type.String(),
  expiresAt: Type.String(),
  role: Type.String(),
  displayName: Type.String(),
  divisionCode: Type.String(),
  venueId: Type.Union([Type.Integer(), Type.Null()], {
    description: 'the venue of checkpoint staff; null for officers and admins',
  }),
});

export type SignInCodeResponse = Reply<typeof SignInCodeSent>;
export type SessionResponse = Reply<typeof Session>;
export type StaffSessionResponse = Reply<typeof StaffSession>;
