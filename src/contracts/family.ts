import { Type, type Static } from '@sinclair/typebox';
import { ApplicationBody } from './residents.ts';
import { Colour, Nullable, StringEnum, type Reply } from './common.ts';
import { MyCode } from './residents.ts';
import { RELATIONSHIPS } from '../domain/relationships.ts';

/** Family members by proxy (S3): the people who cannot use a phone get codes through a relative. */

export { RELATIONSHIPS, type Relationship } from '../domain/relationships.ts';

export const AddFamilyMemberBody = Type.Object(
  {
    relationship: StringEnum(RELATIONSHIPS, { description: 'what the member is to the proxy' }),
    member: Type.Omit(ApplicationBody, ['pledge'], {
      additionalProperties: false,
      description: 'the member’s seven items, as in submitApplication',
    }),
    pledge: Type.Boolean({
      description: 'must be true: the proxy pledges the member’s information is true (承诺)',
    }),
  },
  { additionalProperties: false },
);

export const MemberIdParams = Type.Object({
  memberId: Type.String({ format: 'uuid', description: 'the binding id, from listFamilyMembers' }),
});

export const FamilyMember = Type.Object({
  memberId: Type.String({ description: 'the binding between this proxy and this member' }),
  relationship: StringEnum(RELATIONSHIPS),
  maskedName: Type.String(),
  colour: Colour,
  addedAt: Type.String(),
  ownAccount: Type.Boolean({
    description: 'the member has signed in with their own number and may remove this proxy',
  }),
});

export const Proxy = Type.Object({
  memberId: Type.String({ description: 'the binding; removeFamilyMember with it ends the proxy' }),
  relationship: StringEnum(RELATIONSHIPS, { description: 'what you are to the proxy' }),
  proxyMaskedName: Type.String(),
  since: Type.String(),
});

export const FamilyList = Type.Object({
  members: Type.Array(FamilyMember, { description: 'people whose codes you hold' }),
  proxies: Type.Array(Proxy, { description: 'people who hold your code' }),
  limits: Type.Object({ membersPerProxy: Type.Integer(), proxiesPerMember: Type.Integer() }),
});

export const FamilyMemberCode = Type.Composite([
  MyCode,
  Type.Object({ memberId: Type.String(), relationship: StringEnum(RELATIONSHIPS) }),
]);

export const PaperCodeBody = Type.Object(
  {
    memberId: Type.Optional(
      Type.String({ format: 'uuid', description: 'a family member’s binding; leave out to print your own' }),
    ),
    size: Type.Optional(StringEnum(['A4', 'A6'] as const, { description: 'default A4' })),
  },
  { additionalProperties: false },
);

export const RevokePaperCodeBody = Type.Object(
  {
    memberId: Type.Optional(
      Type.String({ format: 'uuid', description: 'a family member’s binding; leave out for your own' }),
    ),
  },
  { additionalProperties: false },
);

export const PaperCodeRevoked = Type.Object({
  revoked: Type.Boolean({ description: 'false: there was no paper code in force' }),
  paperCodeId: Nullable(Type.String()),
});

export type AddFamilyMemberRequest = Static<typeof AddFamilyMemberBody>;
export type FamilyMemberView = Reply<typeof FamilyMember>;
export type FamilyListResponse = Reply<typeof FamilyList>;
export type FamilyMemberCodeResponse = Reply<typeof FamilyMemberCode>;
export type PaperCodeRevokedResponse = Reply<typeof PaperCodeRevoked>;
