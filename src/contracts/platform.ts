import { Type } from '@sinclair/typebox';

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
