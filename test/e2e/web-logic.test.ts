import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  applicationRequest,
  checkFormLocally,
  emptyForm,
  fieldId,
  formFieldPaths,
  formFromView,
  familyMemberRequest,
  memberIssues,
  placeIssues,
  type ApplicationForm,
} from '../../web/application-form.ts';
import { fileNameOf, type ApplicationResponse } from '../../web/api.ts';
import {
  arrivalFieldOf,
  arrivalRequest,
  availableFrom,
  checkArrivalLocally,
  emptyArrivalForm,
  splitList,
  type ArrivalForm,
} from '../../web/arrival-form.ts';
import { colourAfter, formatChinaClock, refreshDelay } from '../../web/time.ts';
import {
  MAX_ATTACHMENT_BYTES,
  attachmentIssues,
  attachmentUpload,
  bytesToBase64,
  checkedVenues,
  setupTokenFromHash,
  sniffAttachmentType,
  totpCode,
} from '../../web/feedback-form.ts';
import { complaintHash, routeFromHash, sectionFromPath, venueFromHash } from '../../web/router.ts';
import type { Colour } from '../../src/domain/types.ts';

/** The browser-free logic of the web app: time words, refresh timing, the apply form. */

const at = (iso: string) => Date.parse(iso);

describe('formatChinaClock', () => {
  const cases: [string, boolean, string][] = [
    ['2026-11-25T02:00:07Z', true, '2026-11-25 10:00:07'],
    ['2026-11-25T02:00:07Z', false, '2026-11-25 10:00'],
    ['2026-11-30T16:30:00Z', true, '2026-12-01 00:30:00'],
  ];
  for (const [instant, seconds, expected] of cases) {
    test(`${instant} → ${expected}`, () => assert.equal(formatChinaClock(at(instant), seconds), expected));
  }
});

describe('colourAfter', () => {
  const until = at('2026-12-01T02:00:00Z');
  const cases: { name: string; reasons: { colour: Colour; until: number | null }[]; expected: Colour }[] = [
    { name: 'no reasons left', reasons: [], expected: 'green' },
    { name: 'the only reason ends then', reasons: [{ colour: 'yellow', until }], expected: 'green' },
    {
      name: 'a yellow reason outlasts a red one',
      reasons: [
        { colour: 'red', until },
        { colour: 'yellow', until: until + 1 },
      ],
      expected: 'yellow',
    },
    {
      name: 'an open-ended reason stays',
      reasons: [
        { colour: 'red', until },
        { colour: 'red', until: null },
      ],
      expected: 'red',
    },
    {
      name: 'an earlier reason is gone',
      reasons: [
        { colour: 'red', until: until - 1 },
        { colour: 'yellow', until },
      ],
      expected: 'green',
    },
  ];
  for (const c of cases) test(c.name, () => assert.equal(colourAfter(c.reasons, until), c.expected));
});

describe('refreshDelay', () => {
  const now = at('2026-11-25T02:00:30Z');
  const cases: [string, number, number][] = [
    ['half a minute to go', now + 30_000, 30_250],
    ['a full minute (capped)', now + 90_000, 60_000],
    ['refreshAt already passed: no busy loop', now - 10_000, 5_000],
  ];
  for (const [name, refreshAt, expected] of cases)
    test(name, () => assert.equal(refreshDelay(refreshAt, now), expected));
});

const filled: ApplicationForm = {
  ...emptyForm(' 13800138000 '),
  name: ' 张小三 ',
  documentNumber: ' 370102199003071231 ',
  nationality: 'cn',
  divisionCode: '370102',
  addressDetail: ' 泉城路 1 号 ',
  abroad: [{ country: 'jp', from: '2026-11-20', to: '2026-11-22' }],
  stays: [{ divisionCode: '420106', subArea: '', from: '2026-11-18', to: '2026-11-19' }],
  contacts: [{ kind: 'suspected', date: '2026-11-21' }],
  symptoms: ['dryCough'],
  fever: true,
  temperature: '37.8',
  pledge: true,
};

describe('checkFormLocally', () => {
  test('a complete form has no issues', () => assert.deepEqual(checkFormLocally(filled), []));
  const cases: [string, Partial<ApplicationForm>, string, string][] = [
    ['empty name', { name: ' ' }, 'name', 'name_invalid'],
    ['empty ID number', { documentNumber: '' }, 'documentNumber', 'document_number_required'],
    ['empty mobile', { mobile: '' }, 'mobile', 'mobile_required'],
    ['three-letter nationality', { nationality: 'CHN' }, 'nationality', 'country_invalid'],
    ['four-digit division', { divisionCode: '3701' }, 'address.divisionCode', 'address_division_format'],
    ['empty street address', { addressDetail: '' }, 'address.detail', 'address_detail_invalid'],
    [
      'trip without an end date',
      { abroad: [{ country: 'JP', from: '2026-11-20', to: '' }] },
      'contactHistory.abroad.0.to',
      'date_invalid',
    ],
    [
      'stay with a bad division',
      { stays: [{ divisionCode: 'x', subArea: '', from: '2026-11-18', to: '2026-11-19' }] },
      'contactHistory.epidemicAreaStays.0.divisionCode',
      'address_division_format',
    ],
    [
      'contact without a date',
      { contacts: [{ kind: 'confirmed', date: '' }] },
      'contactHistory.caseContacts.0.date',
      'date_invalid',
    ],
    [
      'temperature not a number',
      { temperature: '37,5' },
      'contactHistory.temperature',
      'temperature_invalid',
    ],
    ['no pledge', { pledge: false }, 'pledge', 'pledge_required'],
  ];
  for (const [name, patch, path, code] of cases) {
    test(name, () => {
      const issues = checkFormLocally({ ...filled, ...patch });
      assert.deepEqual(
        issues.map((i) => [i.path, i.code]),
        [[path, code]],
      );
      assert.ok(
        formFieldPaths({ ...filled, ...patch }).has(path),
        `${path} has a field to show the issue next to`,
      );
    });
  }
});

describe('applicationRequest', () => {
  test('trims, upper-cases codes and leaves out what was not given', () => {
    assert.deepEqual(applicationRequest(filled), {
      name: '张小三',
      documentType: 'resident_id_card',
      documentNumber: '370102199003071231',
      mobile: '13800138000',
      nationality: 'CN',
      address: { divisionCode: '370102', detail: '泉城路 1 号' },
      contactHistory: {
        abroad: [{ country: 'JP', from: '2026-11-20', to: '2026-11-22' }],
        epidemicAreaStays: [{ divisionCode: '420106', from: '2026-11-18', to: '2026-11-19' }],
        caseContacts: [{ kind: 'suspected', date: '2026-11-21' }],
        symptoms: ['dryCough'],
        fever: true,
        temperature: 37.8,
      },
      pledge: true,
    });
    assert.equal('temperature' in applicationRequest({ ...filled, temperature: '' }).contactHistory, false);
  });

  test('a stored application comes back into the form, pledge unticked', () => {
    const body = applicationRequest(filled);
    const view: ApplicationResponse = {
      ...body,
      contactHistory: { ...body.contactHistory, symptoms: ['dryCough', 'fever'], fever: false },
      healthCardId: 'HC0',
      pledgedAt: '2026-11-25T10:00:00+08:00',
      updatedAt: '2026-11-25T10:00:00+08:00',
      colour: 'yellow',
      maskedName: '张*三',
      maskedDocumentNumber: '3701**********1231',
    };
    const form = formFromView(view);
    assert.equal(form.pledge, false);
    assert.equal(form.fever, true, "the 'fever' symptom ticks the fever box");
    assert.deepEqual(applicationRequest({ ...form, pledge: true }), body);
  });
});

describe('placing issues', () => {
  test('issues with a field go beside it; the rest to the summary', () => {
    const issues = [
      { path: 'documentNumber', code: 'document_check_digit', message: 'x' },
      { path: 'contactHistory.abroad.0.to', code: 'date_order', message: 'y' },
      { path: 'contactHistory.abroad.3.to', code: 'date_order', message: 'z' },
      { path: '(body)', code: 'schema_type', message: 'w' },
    ];
    const placed = placeIssues(issues, formFieldPaths(filled));
    assert.deepEqual([...placed.byPath.keys()], ['documentNumber', 'contactHistory.abroad.0.to']);
    assert.deepEqual(
      placed.unplaced.map((i) => i.path),
      ['contactHistory.abroad.3.to', '(body)'],
    );
  });
  test('field ids are derived from API paths', () => {
    assert.equal(fieldId('contactHistory.abroad.0.to'), 'field-contactHistory-abroad-0-to');
  });
});

describe('the arrival declaration form', () => {
  const today = '2026-11-25';
  const domestic: ArrivalForm = {
    ...emptyArrivalForm(today),
    originDivisionCode: '420100',
    departedOn: '2026-11-24',
    transportNumber: 'g123 ',
    homeCodeColour: 'green',
    familyCompanions: ['m-1'],
    otherCompanions: '李四，王五, ',
  };

  test('a domestic arrival: only its own fields, companions family first then names', () => {
    assert.deepEqual(checkArrivalLocally(domestic), []);
    assert.deepEqual(arrivalRequest(domestic), {
      kind: 'domestic',
      originDivisionCode: '420100',
      homeCodeColour: 'green',
      departedOn: '2026-11-24',
      arrivedOn: today,
      transport: { mode: 'train', number: 'G123' },
      companions: [{ familyMemberId: 'm-1' }, { name: '李四' }, { name: '王五' }],
    });
  });

  test('an overseas arrival names countries, not a division or a home colour', () => {
    const overseas: ArrivalForm = {
      ...domestic,
      kind: 'overseas',
      countries: 'kr, JP kr',
      otherCompanions: '',
    };
    assert.deepEqual(arrivalRequest(overseas), {
      kind: 'overseas',
      countries: ['KR', 'JP'],
      departedOn: '2026-11-24',
      arrivedOn: today,
      transport: { mode: 'train', number: 'G123' },
      companions: [{ familyMemberId: 'm-1' }],
    });
  });

  test('what is missing is said before sending, with the server’s codes', () => {
    const empty = { ...emptyArrivalForm(today), arrivedOn: '' };
    assert.deepEqual(
      checkArrivalLocally(empty).map((i) => `${i.path} ${i.code}`),
      [
        'originDivisionCode field_required',
        'homeCodeColour field_required',
        'arrivedOn date_invalid',
        'transport.number field_required',
      ],
    );
    assert.deepEqual(
      checkArrivalLocally({ ...empty, kind: 'overseas', arrivedOn: today, transportMode: 'car' }).map(
        (i) => i.path,
      ),
      ['countries'],
    );
  });

  test('server issues land on the form’s fields', () => {
    assert.equal(arrivalFieldOf('countries.1', domestic), 'countries');
    assert.equal(arrivalFieldOf('companions.0.familyMemberId', domestic), 'familyCompanions');
    assert.equal(arrivalFieldOf('companions.1.name', domestic), 'otherCompanions');
    assert.equal(arrivalFieldOf('arrivedOn', domestic), 'arrivedOn');
  });

  test('arrival_not_yet_allowed: the date it can be made from, from the message or its issues', () => {
    assert.equal(
      availableFrom({
        message:
          'An overseas arrival is declared after quarantine ends with a negative test: not before 2026-12-02.',
        issues: [{ message: 'You: the quarantine is not over. It can be made from 2026-12-02.' }],
      }),
      '2026-12-02',
    );
    assert.equal(
      availableFrom({ message: 'x', issues: [{ message: 'a 2026-12-01' }, { message: 'b 2026-12-03' }] }),
      '2026-12-03',
    );
    assert.equal(availableFrom({ message: 'no date here' }), null);
    assert.deepEqual(splitList('a，b、 c;;', false), ['a', 'b', 'c']);
  });
});

describe('the family member form and downloads', () => {
  test('a member’s items go under member., the pledge stays at the top', () => {
    const form: ApplicationForm = {
      ...emptyForm('13800000001'),
      name: ' 王秀英 ',
      documentNumber: '370102194001010020',
      divisionCode: '370102',
      addressDetail: '泉城路 1 号',
      pledge: true,
    };
    const body = familyMemberRequest(form, 'grandparent');
    assert.equal(body.relationship, 'grandparent');
    assert.equal(body.pledge, true);
    assert.equal(body.member.name, '王秀英');
    assert.ok(!('pledge' in body.member));
    assert.deepEqual(
      memberIssues(checkFormLocally({ ...form, name: '', pledge: false })).map((i) => i.path),
      ['member.name', 'pledge'],
    );
  });

  test('the file name a download is saved under', () => {
    assert.equal(fileNameOf('attachment; filename="paper-code-A6.pdf"', 'x.pdf'), 'paper-code-A6.pdf');
    assert.equal(fileNameOf(null, 'paper-code.pdf'), 'paper-code.pdf');
    assert.equal(fileNameOf('attachment; filename="../etc/passwd"', 'paper-code.pdf'), 'paper-code.pdf');
  });
});

describe('attachments are checked on the device before they are sent (issue 10)', () => {
  const PNG = Uint8Array.from(
    Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
      'base64',
    ),
  );
  const bytes = (text: string) => Uint8Array.from(Buffer.from(text, 'latin1'));
  const picked = (name: string, size: number, head: Uint8Array) => ({ name, size, head });

  test('the type comes from the bytes, as the server checks it', () => {
    assert.equal(sniffAttachmentType(PNG), 'image/png');
    assert.equal(sniffAttachmentType(bytes('\xff\xd8\xff\xe0\x00\x10JFIF')), 'image/jpeg');
    assert.equal(sniffAttachmentType(bytes('RIFF\x24\x00\x00\x00WEBPVP8 ')), 'image/webp');
    assert.equal(sniffAttachmentType(bytes('%PDF-1.4\n')), 'application/pdf');
    assert.equal(sniffAttachmentType(bytes('RIFF\x24\x00\x00\x00WAVEfmt ')), null, 'a RIFF that is not WebP');
    assert.equal(sniffAttachmentType(bytes('MZ\x90\x00')), null, 'an executable');
    assert.equal(sniffAttachmentType(bytes('%PD')), null, 'too short to tell');
    assert.equal(sniffAttachmentType(new Uint8Array()), null);
  });

  test('5 MB is allowed, one byte more is not; wrong types and a fourth file are refused', () => {
    assert.deepEqual(attachmentIssues([picked('scan.png', MAX_ATTACHMENT_BYTES, PNG)]), []);
    const codes = (files: Parameters<typeof attachmentIssues>[0]) =>
      attachmentIssues(files).map((i) => [i.path, i.code]);
    assert.deepEqual(codes([picked('big.png', MAX_ATTACHMENT_BYTES + 1, PNG)]), [
      ['attachments', 'attachment_too_large'],
    ]);
    assert.deepEqual(codes([picked('virus.pdf', 100, bytes('MZ\x90\x00\x03'))]), [
      ['attachments', 'attachment_type_unsupported'],
    ]);
    assert.deepEqual(codes([picked('empty.png', 0, new Uint8Array())]), [
      ['attachments', 'attachment_type_unsupported'],
    ]);
    assert.deepEqual(codes([1, 2, 3, 4].map((n) => picked(`${n}.png`, PNG.length, PNG))), [
      ['attachments', 'attachments_too_many'],
    ]);
  });

  test('an upload carries the sniffed type and the bytes in base64, also past one slice', () => {
    const upload = attachmentUpload(PNG);
    assert.deepEqual(upload, { mediaType: 'image/png', data: Buffer.from(PNG).toString('base64') });
    assert.equal(attachmentUpload(bytes('hello')), null);
    const large = new Uint8Array(100_003).map((_, i) => (i * 7) % 256);
    assert.equal(bytesToBase64(large), Buffer.from(large).toString('base64'));
  });
});

describe('hash routes and links of issue 10', () => {
  test('a route keeps its name with parameters; the complaint link names its venue', () => {
    assert.equal(routeFromHash('#/appeal'), 'appeal');
    assert.equal(routeFromHash('#/access-log'), 'access-log');
    const hash = complaintHash({ id: 42, name: '泉城 商场&1' });
    assert.equal(routeFromHash(hash), 'complaint');
    assert.deepEqual(venueFromHash(hash), { id: 42, name: '泉城 商场&1' });
    assert.equal(venueFromHash('#/complaint'), null);
    assert.equal(venueFromHash('#/complaint?venue=0'), null);
    assert.equal(venueFromHash('#/complaint?venue=1e3x'), null);
    assert.equal(routeFromHash('#/nowhere?x=1'), null);
  });

  test('the staff setup link: its path and its token from the fragment', () => {
    assert.equal(sectionFromPath('/staff/setup'), 'staff-setup');
    assert.equal(sectionFromPath('/staff/setup/'), 'staff-setup');
    assert.equal(setupTokenFromHash('#token=abc-DEF_123'), 'abc-DEF_123');
    assert.equal(setupTokenFromHash('#token='), null);
    assert.equal(setupTokenFromHash(''), null);
    assert.equal(totpCode(' 123 456 '), '123456');
    assert.equal(totpCode('12345'), null);
    assert.equal(totpCode('12345a'), null);
  });

  test('the venues to complain about: those that checked my code, newest first, each once', () => {
    const check = (venueId: number, name: string, at: string) => ({
      at,
      kind: 'checkpoint_check' as const,
      action: 'checkpoint_check',
      venue: { venueId, name },
      outcome: 'pass' as const,
      actor: { kind: 'staff' as const, role: 'checkpoint' as const, self: false },
    });
    const venues = checkedVenues({
      entries: [
        check(2, 'B', '2026-11-25T10:00:00+08:00'),
        {
          at: '2026-11-25T09:30:00+08:00',
          kind: 'staff_lookup',
          action: 'lookup_resident',
          actor: { kind: 'staff', self: false },
        },
        check(1, 'A', '2026-11-25T09:00:00+08:00'),
        check(2, 'B', '2026-11-24T09:00:00+08:00'),
      ],
    });
    assert.deepEqual(
      venues.map((v) => [v.id, v.name, v.at]),
      [
        [2, 'B', '2026-11-25T10:00:00+08:00'],
        [1, 'A', '2026-11-25T09:00:00+08:00'],
      ],
    );
  });
});
