import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  AnswerAppealBody,
  AnswerFeedbackBody,
  AppealIdParams,
  AttachmentIdParams,
  AppealList,
  AppealsQuery,
  AppealView,
  ATTACHMENTS_BODY_LIMIT,
  ColourInputs,
  ColourInputsQuery,
  FeedbackIdParams,
  FeedbackList,
  FeedbackQuery,
  FeedbackView,
  FileAppealBody,
  MyFeedbackList,
  NoticeCount,
  NoticeList,
  SubmitFeedbackBody,
} from '../../../contracts/feedback.ts';
import {
  answerAppeal,
  answerFeedback,
  fileAppeal,
  getMyColourInputs,
  listAppeals,
  listFeedback,
  listMyFeedback,
  submitFeedback,
} from '../../../use-cases/feedback.ts';
import { countMyUnreadNotices, listMyNotices } from '../../../use-cases/notices.ts';
import { getAttachment } from '../../../use-cases/attachments.ts';
import type { Platform } from '../../../use-cases/platform.ts';
import { bearerSecurity, principalOf } from '../../auth.ts';
import { errorResponses } from '../../route-helpers.ts';

const ATTACHMENT_RULES =
  'Attachments: at most 3, each `{mediaType, data}` with the file in base64 in the JSON body (no multipart); PNG, JPEG, WebP or PDF of at most 5 MB decoded. The type is checked by the bytes: a declared type the bytes contradict (or bytes of no known type) is 415 attachment_type_mismatch, a file over 5 MB 413 attachment_too_large; nothing is stored then. The body may be up to ≈ 21 MB on this route.';

/** Feedback (S14), appeals against one input of a colour (P4), and the residents' inbox. */
export function feedbackRoutes(app: FastifyInstance, p: Platform): void {
  app.post<{ Body: Static<typeof SubmitFeedbackBody> }>(
    '/api/v1/me/feedback',
    {
      bodyLimit: ATTACHMENTS_BODY_LIMIT,
      schema: {
        operationId: 'submitFeedback',
        tags: ['resident'],
        summary: 'Report a registration problem or anything else; the office of your division answers (S14)',
        description: `Follow it with listMyFeedback. Empty text: 400 validation_failed. ${ATTACHMENT_RULES}`,
        security: bearerSecurity,
        body: SubmitFeedbackBody,
        response: { 201: FeedbackView, ...errorResponses(400, 401, 403, 404, 413, 415) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await submitFeedback(p, await principalOf(p, request), request.body)),
  );

  app.get(
    '/api/v1/me/feedback',
    {
      schema: {
        operationId: 'listMyFeedback',
        tags: ['resident'],
        summary: 'Your feedback and appeals (and those you filed for family members) with their state',
        description:
          'An appeal whose deadline passed unanswered shows state `escalated`: it is in the provincial queue.',
        security: bearerSecurity,
        response: { 200: MyFeedbackList, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => listMyFeedback(p, await principalOf(p, request)),
  );

  app.get<{ Querystring: Static<typeof FeedbackQuery> }>(
    '/api/v1/feedback',
    {
      schema: {
        operationId: 'listFeedback',
        tags: ['officer'],
        summary: 'Feedback from residents living in your jurisdiction, newest first (admins: all)',
        security: bearerSecurity,
        querystring: FeedbackQuery,
        response: { 200: FeedbackList, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => listFeedback(p, await principalOf(p, request), { state: request.query.state }),
  );

  app.post<{ Params: Static<typeof FeedbackIdParams>; Body: Static<typeof AnswerFeedbackBody> }>(
    '/api/v1/feedback/:feedbackId/answer',
    {
      schema: {
        operationId: 'answerFeedback',
        tags: ['officer'],
        summary: 'Answer feedback of your jurisdiction; `close: true` closes it',
        description:
          'Another jurisdiction’s feedback is 404 feedback_not_found. Closed feedback: 409 feedback_closed. The resident gets a notice (and an SMS without detail).',
        security: bearerSecurity,
        params: FeedbackIdParams,
        body: AnswerFeedbackBody,
        response: { 200: FeedbackView, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      answerFeedback(p, await principalOf(p, request), request.params.feedbackId, request.body),
  );

  app.get<{ Querystring: Static<typeof ColourInputsQuery> }>(
    '/api/v1/me/colour-inputs',
    {
      schema: {
        operationId: 'getMyColourInputs',
        tags: ['resident'],
        summary: 'Every input behind your colour (or a family member’s), with its source and dates (P2, P4)',
        description:
          'Each fact as recorded, with where it came from: the import (kind, provider’s record id, import id and time, the office it was imported for), the office and role of the staff member who recorded it, your application, or an arrival declaration; any correction an office made; whether the colour now rests on it. Dispute one with fileAppeal.',
        security: bearerSecurity,
        querystring: ColourInputsQuery,
        response: { 200: ColourInputs, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      void reply.header('cache-control', 'no-store');
      return getMyColourInputs(p, await principalOf(p, request), { memberId: request.query.memberId });
    },
  );

  app.post<{ Body: Static<typeof FileAppealBody> }>(
    '/api/v1/me/appeals',
    {
      bodyLimit: ATTACHMENTS_BODY_LIMIT,
      schema: {
        operationId: 'fileAppeal',
        tags: ['resident'],
        summary: 'Dispute one input of your colour (or a family member’s) with an explanation (P4)',
        description: `factId from getMyColourInputs (unknown: 404 fact_not_found); memberId for a family member whose code you hold (anyone else: 404 family_member_not_found). The office of the resident’s division must answer by the deadline the policy sets (services.appealDeadlineHours, 24 hours by default); unanswered, it escalates to the provincial queue. ${ATTACHMENT_RULES}`,
        security: bearerSecurity,
        body: FileAppealBody,
        response: { 201: AppealView, ...errorResponses(400, 401, 403, 404, 413, 415) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await fileAppeal(p, await principalOf(p, request), request.body)),
  );

  app.get<{ Querystring: Static<typeof AppealsQuery> }>(
    '/api/v1/appeals',
    {
      schema: {
        operationId: 'listAppeals',
        tags: ['officer'],
        summary: 'Appeals of residents in your jurisdiction, deadline first; admins: the provincial queue',
        description:
          '`state=escalated` is the provincial queue: open appeals past their deadline count as escalated at once.',
        security: bearerSecurity,
        querystring: AppealsQuery,
        response: { 200: AppealList, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => listAppeals(p, await principalOf(p, request), { state: request.query.state }),
  );

  app.post<{ Params: Static<typeof AppealIdParams>; Body: Static<typeof AnswerAppealBody> }>(
    '/api/v1/appeals/:appealId/answer',
    {
      schema: {
        operationId: 'answerAppeal',
        tags: ['officer'],
        summary: 'Answer an appeal of your jurisdiction; upheld, end or withdraw the disputed fact',
        description:
          'factAction (upheld only) ends the fact (at factEndedAt, default now) or withdraws it as recorded in error, through endResidentFact: the colour is recomputed at once. Another jurisdiction’s appeal: 404 appeal_not_found. Answered already: 409 appeal_already_answered. Escalated (deadline passed): only a provincial admin answers, else 409 appeal_escalated.',
        security: bearerSecurity,
        params: AppealIdParams,
        body: AnswerAppealBody,
        response: { 200: AppealView, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => answerAppeal(p, await principalOf(p, request), request.params.appealId, request.body),
  );

  app.get<{ Params: Static<typeof AttachmentIdParams> }>(
    '/api/v1/attachments/:attachmentId',
    {
      schema: {
        operationId: 'getAttachment',
        tags: ['officer'],
        summary: 'Open a file attached to feedback or an appeal of your jurisdiction',
        description:
          'The bytes as uploaded, of the type they were checked to be (image/png, image/jpeg, image/webp, application/pdf), as a download. The read is written to the audit log before the file is sent, and the resident sees it in getMyAccessLog. Another jurisdiction’s attachment: 404 attachment_not_found.',
        security: bearerSecurity,
        params: AttachmentIdParams,
        produces: ['image/png', 'image/jpeg', 'image/webp', 'application/pdf'],
        response: { ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const file = await getAttachment(p, await principalOf(p, request), request.params.attachmentId);
      return reply
        .type(file.mediaType)
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="${file.fileName}"`)
        .send(file.bytes);
    },
  );

  app.get(
    '/api/v1/me/notices',
    {
      schema: {
        operationId: 'listMyNotices',
        tags: ['resident'],
        summary: 'Your inbox: colour changes, answers to appeals and feedback, escalations',
        description:
          'Yours and those of family members whose codes you hold, newest first. Opening the inbox marks what it shows as read (`read: false` the first time). Each notice also sends one SMS that says only to open the app — never a colour or a reason.',
        security: bearerSecurity,
        response: { 200: NoticeList, ...errorResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      void reply.header('cache-control', 'no-store');
      return listMyNotices(p, await principalOf(p, request));
    },
  );

  app.get(
    '/api/v1/me/notices/unread',
    {
      schema: {
        operationId: 'countMyUnreadNotices',
        tags: ['resident'],
        summary: 'How many notices in your inbox are unread (the app’s badge); marks nothing as read',
        description: 'Before applying: 0.',
        security: bearerSecurity,
        response: { 200: NoticeCount, ...errorResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      void reply.header('cache-control', 'no-store');
      return countMyUnreadNotices(p, await principalOf(p, request));
    },
  );
}
