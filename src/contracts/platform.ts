import { Type, type Static } from '@sinclair/typebox';

/** The platform itself: its public keys (JWKS) and its health. */

export const Jwks = Type.Object({
  keys: Type.Array(
    Type.Object({
      kty: Type.Literal('OKP'),
      crv: Type.Literal('Ed25519'),
      x: Type.String(),
      kid: Type.String(),
      alg: Type.Literal('EdDSA'),
      use: Type.Literal('sig'),
      status: Type.String({
        description: 'next (not yet signing) | active | retired (its codes still live)',
      }),
    }),
  ),
});

export const Health = Type.Object({ status: Type.Literal('ok'), database: Type.String() });

/** The support contact (S15), configured once and shown in the app, on posters and paper codes. */
export const SupportContact = Type.Object({
  phone: Type.String({
    description: 'Where residents call for help, e.g. 12345 (the local government hotline).',
  }),
  hours: Type.String({ description: 'When the phone is answered, as configured, e.g. "8:00–20:00".' }),
  url: Type.Union([Type.String({ format: 'uri' }), Type.Null()], {
    description: 'A help page, when configured.',
  }),
});
export type SupportContact = Static<typeof SupportContact>;
