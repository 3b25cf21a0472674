import { Type, type Static } from '@sinclair/typebox';
import { Colour, Nullable, Reason, StringEnum, Time, type Reply } from './common.ts';

/** Hospitals read the code as the electronic health card and record fever-clinic visits (issue 11, S17). */

const ScannedCode = Type.String({
  minLength: 1,
  maxLength: 1024,
  description: 'the QR text scanned from the resident’s phone or paper code',
});

export const CardReadBody = Type.Object({ code: ScannedCode }, { additionalProperties: false });
export type CardReadInput = Static<typeof CardReadBody>;

/** What contactless registration needs, to the hospital role only; the read is audited. */
export const HealthCard = Type.Object({
  healthCardId: Type.String({ description: 'the electronic health card id' }),
  name: Type.String(),
  documentType: Type.String({ description: 'as in the application: resident_id_card, passport, …' }),
  documentNumber: Type.String(),
  mobile: Type.String(),
  colour: Colour,
  codeKind: StringEnum(['personal', 'paper'] as const, {
    description: 'personal: the live code on a phone; paper: a printed paper code',
  }),
  readAt: Time,
});
export type HealthCardResponse = Reply<typeof HealthCard>;

export const FeverClinicVisitBody = Type.Object(
  {
    code: ScannedCode,
    clientVisitId: Type.String({
      pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
      description: 'a UUID the hospital’s system made for this visit; sending it again records nothing new',
    }),
    visitedAt: Type.Optional(
      Type.String({
        description:
          'when the person came to the fever clinic (ISO date-time with offset); default now; at most 7 days ago',
      }),
    ),
    temperature: Type.Optional(
      Nullable(Type.Number({ description: 'body temperature in °C, 30.0–45.0, when taken' })),
    ),
  },
  { additionalProperties: false },
);
export type FeverClinicVisitInput = Static<typeof FeverClinicVisitBody>;

export const FeverClinicVisit = Type.Object({
  factId: Type.String(),
  clientVisitId: Type.String(),
  colour: Colour,
  until: Nullable(Time),
  reasons: Type.Array(Reason),
  duplicate: Type.Boolean({
    description: 'true when this clientVisitId was already recorded: nothing new was stored',
  }),
});
export type FeverClinicVisitResponse = Reply<typeof FeverClinicVisit>;
