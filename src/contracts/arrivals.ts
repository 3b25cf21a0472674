import { Type, type Static } from '@sinclair/typebox';
import { ARRIVAL_KINDS, MAX_COMPANIONS, TRANSPORT_MODES } from '../domain/arrivals.ts';
import { Colour, DateText, Nullable, Reason, StringEnum, Time, type Reply } from './common.ts';

/** Arrival declarations (S8 来鲁申报, S9 overseas arrivals): issue 9 items 5–6. */

export const ArrivalDeclarationBody = Type.Object(
  {
    kind: StringEnum(ARRIVAL_KINDS, {
      description: 'domestic: from another province; overseas: entry from abroad, after quarantine',
    }),
    originDivisionCode: Type.Optional(
      Type.String({
        maxLength: 6,
        description: 'domestic: GB/T 2260 code of the province, city or county left',
      }),
    ),
    countries: Type.Optional(
      Type.Array(Type.String({ maxLength: 2 }), {
        maxItems: 20,
        description: 'overseas: ISO 3166-1 alpha-2 countries stayed in before entry',
      }),
    ),
    departedOn: Type.String({ maxLength: 10, description: 'YYYY-MM-DD, China time' }),
    arrivedOn: Type.String({
      maxLength: 10,
      description: 'YYYY-MM-DD, China time: arrival in Shandong (domestic) or entry into China (overseas)',
    }),
    transport: Type.Object(
      {
        mode: StringEnum(TRANSPORT_MODES),
        number: Type.Optional(
          Type.String({ maxLength: 20, description: 'train, flight, coach or ship number; plate for a car' }),
        ),
      },
      { additionalProperties: false },
    ),
    companions: Type.Optional(
      Type.Array(
        Type.Object(
          {
            familyMemberId: Type.Optional(
              Type.String({
                format: 'uuid',
                description: 'a family member whose code you hold: the declaration is made for them too',
              }),
            ),
            name: Type.Optional(Type.String({ maxLength: 40, description: 'anyone else: a name only' })),
          },
          { additionalProperties: false },
        ),
        { maxItems: MAX_COMPANIONS + 5 },
      ),
    ),
    homeCodeColour: Type.Optional(
      StringEnum(['green', 'yellow', 'red'] as const, {
        description: 'domestic: the colour of the home province’s code when leaving',
      }),
    ),
  },
  { additionalProperties: false },
);

export const ArrivalDeclarationView = Type.Object({
  declarationId: Type.String(),
  /** The person the declaration is for: "self" or the family-member binding id. */
  subject: Type.Union([
    Type.Literal('self'),
    Type.Object({ memberId: Type.String(), maskedName: Type.String() }),
  ]),
  kind: StringEnum(ARRIVAL_KINDS),
  originDivisionCode: Nullable(Type.String()),
  originName: Nullable(Type.String({ description: 'the origin division’s name, province to county' })),
  countries: Type.Array(Type.String()),
  departedOn: DateText,
  arrivedOn: DateText,
  transport: Type.Object({ mode: StringEnum(TRANSPORT_MODES), number: Nullable(Type.String()) }),
  companionNames: Type.Array(Type.String()),
  homeCodeColour: Nullable(Colour),
  declaredAt: Time,
});

export const ArrivalDeclarationResult = Type.Object({
  declarations: Type.Array(
    Type.Composite([
      ArrivalDeclarationView,
      Type.Object({
        colour: Colour,
        until: Nullable(Time),
        reasons: Type.Array(Reason, {
          description: 'the reasons behind the colour now, this declaration among them',
        }),
      }),
    ]),
    { description: 'one per person declared for: you first, then each family member travelling along' },
  ),
});

export const ArrivalDeclarationList = Type.Object({
  declarations: Type.Array(ArrivalDeclarationView, { description: 'newest first, at most 50' }),
});

export type ArrivalDeclarationRequest = Static<typeof ArrivalDeclarationBody>;
export type ArrivalDeclarationViewT = Reply<typeof ArrivalDeclarationView>;
export type ArrivalDeclarationResultResponse = Reply<typeof ArrivalDeclarationResult>;
export type ArrivalDeclarationListResponse = Reply<typeof ArrivalDeclarationList>;
