import { FACT_SOURCES } from '../domain/colour/facts.ts';
import { Type, type Static } from '@sinclair/typebox';
import { Colour, Nullable, Reason, StringEnum, Time, type Reply } from './common.ts';

/** Feedback (S14), appeals (P4) and notices: issue 10 items 4 and 8. */

export const ATTACHMENT_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'application/pdf'] as const;
/** Each attachment's bytes at most (decoded). */
export const MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;
export const MAX_ATTACHMENTS = 3;
/** Base64 of a little more than MAX_ATTACHMENT_BYTES, so a file just over the limit gets its own code. */
const MAX_ATTACHMENT_BASE64 = 7_200_000;
/** The request body limit of routes that carry attachments: three base64 files and the text. */
export const ATTACHMENTS_BODY_LIMIT = MAX_ATTACHMENTS * MAX_ATTACHMENT_BASE64 + 64 * 1024;
export const FEEDBACK_KINDS = ['registration', 'other'] as const;

const AttachmentUpload = Type.Object(
  {
    mediaType: StringEnum(ATTACHMENT_TYPES, {
      description: 'what the file is; the bytes must say the same (checked by content)',
    }),
    data: Type.String({
      maxLength: MAX_ATTACHMENT_BASE64,
      description: 'the file in base64 (RFC 4648), at most 5 MB decoded',
    }),
  },
  { additionalProperties: false },
);

const Attachments = Type.Optional(
  Type.Array(AttachmentUpload, {
    maxItems: MAX_ATTACHMENTS,
    description: `at most ${MAX_ATTACHMENTS} images (PNG, JPEG, WebP) or PDFs of at most 5 MB each`,
  }),
);

const Text = (description: string) => Type.String({ maxLength: 2000, description });

export const SubmitFeedbackBody = Type.Object(
  {
    kind: StringEnum(FEEDBACK_KINDS, { description: 'registration: a problem with your record; other' }),
    text: Text('what is wrong, in your words (not empty)'),
    attachments: Attachments,
  },
  { additionalProperties: false },
);

export const AttachmentView = Type.Object({
  attachmentId: Type.String(),
  mediaType: Type.String({ description: 'the type detected in the bytes' }),
  size: Type.Integer({ description: 'bytes' }),
  sha256: Type.String({ description: 'hex SHA-256 of the bytes' }),
});

const FeedbackState = StringEnum(['new', 'answered', 'closed'] as const);

export const FeedbackView = Type.Object({
  feedbackId: Type.String(),
  kind: StringEnum(FEEDBACK_KINDS),
  text: Type.String(),
  state: FeedbackState,
  answer: Nullable(Type.String()),
  answeredAt: Nullable(Time),
  createdAt: Time,
  attachments: Type.Array(AttachmentView),
});

export const OfficerFeedbackView = Type.Composite([
  FeedbackView,
  Type.Object({ divisionCode: Type.String(), maskedName: Type.String() }),
]);

export const FeedbackList = Type.Object({
  feedback: Type.Array(OfficerFeedbackView, { description: 'newest first, at most 200' }),
});

export const FeedbackQuery = Type.Object(
  { state: Type.Optional(FeedbackState) },
  { additionalProperties: false },
);

export const FeedbackIdParams = Type.Object({ feedbackId: Type.String({ format: 'uuid' }) });

export const AnswerFeedbackBody = Type.Object(
  {
    answer: Text('the answer the resident sees (not empty)'),
    close: Type.Optional(
      Type.Boolean({ description: 'true: nothing more will be done (state closed); default answered' }),
    ),
  },
  { additionalProperties: false },
);

/** One input behind a colour and where it came from (P2, P4). */
export const ColourInput = Type.Object({
  factId: Type.String({ description: 'dispute it by this id (fileAppeal)' }),
  kind: Type.String({ description: 'the fact kind (confirmed, closeContact, stay, …)' }),
  from: Time,
  to: Nullable(Time),
  recordedAt: Nullable(Time),
  source: Type.Object({
    type: StringEnum(FACT_SOURCES),
    importId: Nullable(Type.String({ description: 'import: the import that brought the record' })),
    importKind: Nullable(Type.String({ description: 'import: the record kind' })),
    sourceId: Nullable(Type.String({ description: 'import: the provider’s record id' })),
    office: Nullable(
      Type.String({ description: 'officer or import: the division of the office that recorded it' }),
    ),
    role: Nullable(Type.String({ description: 'officer: the role of the staff member' })),
    declarationId: Nullable(Type.String({ description: 'declaration: the arrival declaration' })),
  }),
  correction: Nullable(
    Type.Object({
      action: StringEnum(['end', 'withdraw'] as const),
      to: Nullable(Time),
      reason: Type.String(),
      at: Time,
    }),
  ),
  inReasons: Type.Boolean({ description: 'whether the colour now rests on it' }),
});

export const ColourInputsQuery = Type.Object(
  {
    memberId: Type.Optional(
      Type.String({ format: 'uuid', description: 'a family member whose code you hold; default yourself' }),
    ),
  },
  { additionalProperties: false },
);

export const ColourInputs = Type.Object({
  colour: Colour,
  until: Nullable(Time),
  reasons: Type.Array(Reason),
  inputs: Type.Array(ColourInput, { description: 'every fact and record, oldest first' }),
});

export const FileAppealBody = Type.Object(
  {
    factId: Type.String({ maxLength: 300, description: 'the input disputed (getMyColourInputs)' }),
    explanation: Text('why it is wrong (not empty)'),
    memberId: Type.Optional(
      Type.String({ format: 'uuid', description: 'a family member whose code you hold; default yourself' }),
    ),
    attachments: Attachments,
  },
  { additionalProperties: false },
);

const AppealState = StringEnum(['open', 'answered', 'escalated'] as const, {
  description: 'escalated: the deadline passed unanswered; it is in the provincial queue',
});

export const AppealView = Type.Object({
  appealId: Type.String(),
  memberId: Nullable(Type.String({ description: 'when filed for a family member: the binding id' })),
  fact: ColourInput,
  explanation: Type.String(),
  state: AppealState,
  deadline: Time,
  escalatedAt: Nullable(Time),
  answer: Nullable(Type.String()),
  outcome: Nullable(StringEnum(['upheld', 'rejected'] as const)),
  factAction: Nullable(StringEnum(['end', 'withdraw'] as const)),
  answeredAt: Nullable(Time),
  createdAt: Time,
  attachments: Type.Array(AttachmentView),
});

export const OfficerAppealView = Type.Composite([
  AppealView,
  Type.Object({ divisionCode: Type.String(), maskedName: Type.String() }),
]);

export const AppealList = Type.Object({
  appeals: Type.Array(OfficerAppealView, { description: 'deadline first, at most 200' }),
});

export const AppealsQuery = Type.Object(
  { state: Type.Optional(AppealState) },
  { additionalProperties: false },
);

export const AppealIdParams = Type.Object({ appealId: Type.String({ format: 'uuid' }) });
export const AttachmentIdParams = Type.Object({ attachmentId: Type.String({ format: 'uuid' }) });

export const AnswerAppealBody = Type.Object(
  {
    answer: Text('the answer the resident sees (not empty)'),
    outcome: StringEnum(['upheld', 'rejected'] as const),
    factAction: Type.Optional(
      StringEnum(['end', 'withdraw'] as const, {
        description:
          'upheld only: end the disputed fact (at factEndedAt, default now) or withdraw it as recorded in error, through endResidentFact',
      }),
    ),
    factEndedAt: Type.Optional(Type.String({ maxLength: 40, description: 'with factAction end' })),
  },
  { additionalProperties: false },
);

export const MyFeedbackList = Type.Object({
  feedback: Type.Array(FeedbackView, { description: 'yours, newest first, at most 100' }),
  appeals: Type.Array(AppealView, {
    description: 'about you or filed by you for family members, newest first, at most 100',
  }),
});

export const NoticeView = Type.Object({
  noticeId: Type.String(),
  kind: StringEnum(['colour_changed', 'appeal_answered', 'appeal_escalated', 'feedback_answered'] as const),
  memberId: Nullable(Type.String({ description: 'about a family member whose code you hold' })),
  colour: Nullable(Colour),
  appealId: Nullable(Type.String()),
  feedbackId: Nullable(Type.String()),
  at: Time,
  read: Type.Boolean({ description: 'false the first time the inbox shows it' }),
});

export const NoticeList = Type.Object({
  notices: Type.Array(NoticeView, { description: 'newest first, at most 100' }),
  unread: Type.Integer(),
});

export const NoticeCount = Type.Object({
  unread: Type.Integer({ description: 'unread notices, yours and your family members’' }),
});

export type SubmitFeedbackRequest = Static<typeof SubmitFeedbackBody>;
export type FileAppealRequest = Static<typeof FileAppealBody>;
export type AnswerFeedbackRequest = Static<typeof AnswerFeedbackBody>;
export type AnswerAppealRequest = Static<typeof AnswerAppealBody>;
export type AttachmentUploadT = Static<typeof AttachmentUpload>;
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];
export type FeedbackKind = (typeof FEEDBACK_KINDS)[number];
export type FeedbackViewT = Reply<typeof FeedbackView>;
export type OfficerFeedbackViewT = Reply<typeof OfficerFeedbackView>;
export type FeedbackListResponse = Reply<typeof FeedbackList>;
export type ColourInputT = Reply<typeof ColourInput>;
export type ColourInputsResponse = Reply<typeof ColourInputs>;
export type AppealViewT = Reply<typeof AppealView>;
export type AppealListResponse = Reply<typeof AppealList>;
export type MyFeedbackListResponse = Reply<typeof MyFeedbackList>;
export type NoticeListResponse = Reply<typeof NoticeList>;
export type NoticeCountResponse = Reply<typeof NoticeCount>;
