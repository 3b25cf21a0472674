import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ERROR_CODES, invalid } from '../use-cases/errors.ts';

/** Shared pieces of the API contract (request and response schemas). */

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.Union(ERROR_CODES.map((c) => Type.Literal(c))),
      message: Type.String(),
      requestId: Type.String(),
      issues: Type.Optional(
        Type.Array(Type.Object({ path: Type.String(), code: Type.String(), message: Type.String() })),
      ),
    }),
  },
  {
    $id: 'ErrorBody',
    description: 'Every error: a stable code, a message a person can act on, the request id.',
  },
);

export const errorResponses = (...statuses: number[]): Record<number, TSchema> =>
  Object.fromEntries(statuses.map((s) => [s, Type.Ref('ErrorBody')]));

/**
 * A string from a fixed list as one JSON Schema `enum`, not an anyOf of constants: Ajv checks it in
 * one step, and the response serializer writes it as a plain string instead of matching each
 * constant per reply (measurable on the checkpoint endpoints). OpenAPI shows a plain enum.
 */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: { readonly description?: string } = {},
) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/**
 * `schema` or null, as OpenAPI 3.0 writes it (`nullable: true`), for response schemas: the
 * serializer then needs no anyOf branch choice per reply.
 */
export function Nullable<T extends TSchema>(schema: T) {
  const raw = schema as unknown as Record<string, unknown>;
  const values = raw['enum'];
  return Type.Unsafe<Static<T> | null>({
    ...raw,
    ...(Array.isArray(values) ? { enum: [...(values as unknown[]), null] } : {}),
    nullable: true,
  });
}

export const Colour = StringEnum(['green', 'yellow', 'red']);

export const DateText = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}$',
  description: 'YYYY-MM-DD, China time',
});

export const LocalizedText = Type.Object({ 'zh-CN': Type.String(), en: Type.String() });

export const Reason = Type.Object(
  {
    ruleId: Type.String(),
    colour: Type.Union([Type.Literal('red'), Type.Literal('yellow')]),
    factId: Type.String(),
    factKind: Type.String(),
    until: Type.Union([Type.Number(), Type.Null()], { description: 'epoch ms' }),
    text: LocalizedText,
  },
  { additionalProperties: true },
);

export const ContactHistory = Type.Object(
  {
    abroad: Type.Optional(
      Type.Array(
        Type.Object(
          { country: Type.String({ minLength: 2, maxLength: 2 }), from: DateText, to: DateText },
          { additionalProperties: false },
        ),
        { maxItems: 20 },
      ),
    ),
    epidemicAreaStays: Type.Optional(
      Type.Array(
        Type.Object(
          {
            divisionCode: Type.String({ pattern: '^\\d{6}$' }),
            subArea: Type.Optional(Type.String({ maxLength: 100 })),
            from: DateText,
            to: DateText,
          },
          { additionalProperties: false },
        ),
        { maxItems: 20 },
      ),
    ),
    caseContacts: Type.Optional(
      Type.Array(
        Type.Object(
          { kind: Type.Union([Type.Literal('confirmed'), Type.Literal('suspected')]), date: DateText },
          { additionalProperties: false },
        ),
        { maxItems: 20 },
      ),
    ),
    symptoms: Type.Optional(
      Type.Array(
        Type.Union([
          Type.Literal('fever'),
          Type.Literal('dryCough'),
          Type.Literal('shortnessOfBreath'),
          Type.Literal('otherRespiratory'),
        ]),
        { maxItems: 4, uniqueItems: true },
      ),
    ),
    fever: Type.Optional(Type.Boolean()),
    temperature: Type.Optional(Type.Number({ description: '°C, one decimal' })),
  },
  { additionalProperties: false, description: '14-day contact history (S1)' },
);

export const ApplicationBody = Type.Object(
  {
    name: Type.String({ maxLength: 64 }),
    documentType: Type.String({
      maxLength: 40,
      description:
        'resident_id_card | passport | hk_macau_permit | taiwan_permit | foreign_permanent_residence_id',
    }),
    documentNumber: Type.String({ maxLength: 40 }),
    mobile: Type.String({ maxLength: 24 }),
    nationality: Type.String({ maxLength: 2, minLength: 2, description: 'ISO 3166-1 alpha-2' }),
    address: Type.Object(
      { divisionCode: Type.String({ pattern: '^\\d{6}$' }), detail: Type.String({ maxLength: 200 }) },
      { additionalProperties: false },
    ),
    contactHistory: ContactHistory,
    pledge: Type.Boolean({
      description: 'must be true: the applicant pledges the information is true (承诺)',
    }),
  },
  { additionalProperties: false },
);

export const ApplicationView = Type.Object({
  name: Type.String(),
  documentType: Type.String(),
  documentNumber: Type.String(),
  mobile: Type.String(),
  nationality: Type.String(),
  address: Type.Object({ divisionCode: Type.String(), detail: Type.String() }),
  contactHistory: ContactHistory,
  healthCardId: Type.String({ description: 'electronic health card id (S17)' }),
  pledgedAt: Type.String(),
  updatedAt: Type.String(),
  colour: Colour,
  maskedName: Type.String(),
  maskedDocumentNumber: Type.String(),
});

export const FactBody = Type.Object(
  {
    kind: Type.String({ maxLength: 40 }),
    from: Type.String({ maxLength: 40 }),
    to: Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Null()])),
    isolation: Type.Optional(Type.Union([Type.String({ maxLength: 20 }), Type.Null()])),
    divisionCode: Type.Optional(Type.Union([Type.String({ maxLength: 6 }), Type.Null()])),
    subArea: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
    level: Type.Optional(Type.Union([Type.String({ maxLength: 10 }), Type.Null()])),
    temperature: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
    symptoms: Type.Optional(
      Type.Union([Type.Array(Type.String({ maxLength: 40 }), { maxItems: 10 }), Type.Null()]),
    ),
    countries: Type.Optional(
      Type.Union([Type.Array(Type.String({ maxLength: 2 }), { maxItems: 50 }), Type.Null()]),
    ),
    note: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
  },
  { additionalProperties: false },
);

/**
 * A whole number in a query string. Queries arrive as text and types are never coerced, so the
 * schema checks the digits and `queryInteger` the range, with the field's name in the error.
 */
export const QueryInteger = (description: string) => Type.String({ pattern: '^[0-9]{1,15}$', description });

export function queryInteger(
  text: string | undefined,
  name: string,
  min: number,
  max: number,
): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw invalid([
      { path: name, code: 'out_of_range', message: `${name} must be a whole number from ${min} to ${max}.` },
    ]);
  }
  return n;
}
