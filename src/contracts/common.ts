import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ERROR_CODES } from './errors.ts';

/**
 * Pieces every part of the API contract shares. The contracts (src/contracts) are one TypeBox
 * schema per request and response: routes validate and serialize with them, use cases return their
 * `Static` types, and the web client reads the same types, so the three cannot drift apart.
 */

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.Union(ERROR_CODES.map((c) => Type.Literal(c))),
      message: Type.String(),
      requestId: Type.String(),
      issues: Type.Optional(
        Type.Array(Type.Object({ path: Type.String(), code: Type.String(), message: Type.String() })),
      ),
      retryAt: Type.Optional(
        Type.String({ description: 'a lock-out: when it ends (China time); Retry-After gives the seconds' }),
      ),
    }),
  },
  {
    $id: 'ErrorBody',
    description: 'Every error: a stable code, a message a person can act on, the request id.',
  },
);

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
    colour: Type.Union([Type.Literal('red'), Type.Literal('yellow'), Type.Literal('green')], {
      description: 'red or yellow for a rule; any colour for an officer’s override (ruleId "override")',
    }),
    factId: Type.String(),
    factKind: Type.String(),
    until: Type.Union([Type.Number(), Type.Null()], { description: 'epoch ms' }),
    text: LocalizedText,
  },
  { additionalProperties: true },
);

/** An instant in a response: ISO 8601 with the China offset (+08:00). */
export const Time = Type.String({ description: 'ISO 8601 with the China offset' });

/** An instant in a query string: a date or a date-time, parsed by the route. */
export const TimeQuery = Type.String({
  maxLength: 40,
  description: 'a date (YYYY-MM-DD, China time) or a date-time with an offset',
});

export const DivisionCode = Type.String({ pattern: '^\\d{6}$' });

/** Path and query values arrive as text (types are never coerced): ids are digit strings. */
export const Id = Type.String({ pattern: '^[1-9][0-9]{0,14}$' });

/** The body of an action without parameters. */
export const EmptyBody = Type.Object({}, { additionalProperties: false });

/**
 * A whole number in a query string. Queries arrive as text and types are never coerced, so the
 * schema checks the digits and the route the range, with the field's name in the error.
 */
export const QueryInteger = (description: string) => Type.String({ pattern: '^[0-9]{1,15}$', description });

type DeepReadonly<T> = T extends readonly (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/**
 * A response as use cases hand it out and clients read it: the schema's `Static` type, read-only
 * throughout (use cases build it from read-only domain values; nobody changes an answer).
 */
export type Reply<T extends TSchema> = DeepReadonly<Static<T>>;

/**
 * The test and vaccination badge beside the colour (issue 9 item 4): on the code page, the proxy's
 * view, the place-code pop-up and the checkpoint answer. It never changes the colour by itself.
 */
export const HealthBadge = Type.Object({
  test: Type.Object({
    status: StringEnum(['negative', 'none'], {
      description: 'negative: a negative nucleic-acid test on record; none: no test on record',
    }),
    days: Nullable(
      Type.Integer({
        minimum: 0,
        description: 'calendar days of China time since the sampling day (sampled today: 0)',
      }),
    ),
    sampledAt: Nullable(Time),
    text: LocalizedText,
  }),
  vaccination: Type.Object({
    doses: Type.Integer({ minimum: 0 }),
    lastAt: Nullable(Time),
    text: LocalizedText,
  }),
});

export type HealthBadgeView = Reply<typeof HealthBadge>;
