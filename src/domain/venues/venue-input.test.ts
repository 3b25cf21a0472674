import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NO_CODE_NO_ENTRY_KINDS, VENUE_KINDS, VENUE_KIND_LABEL, isVenueKind } from './venue-kinds.ts';
import { validateVenueInput } from './venue-input.ts';

const valid = {
  name: '  山东大厦 ',
  kind: 'hotel',
  address: { divisionCode: '370102', detail: '历下区\n泉城路 1 号' },
  contact: { name: '王经理', mobile: '138 0013 8000' },
};

/** Issue codes by path, so that a table row states every issue it expects. */
function issuesOf(input: unknown): Record<string, string> {
  const result = validateVenueInput(input);
  assert.equal(result.ok, false, 'expected the input to be refused');
  if (result.ok) return {};
  for (const issue of result.issues) assert.ok(issue.message.length > 10, `${issue.code} has a sentence`);
  return Object.fromEntries(result.issues.map((i) => [i.path, i.code]));
}

void describe('venue kinds', () => {
  void test('thirteen kinds; the first eight are the S5 kinds; every kind has both labels', () => {
    assert.equal(VENUE_KINDS.length, 13);
    assert.deepEqual(NO_CODE_NO_ENTRY_KINDS, [
      'residentialCommunity',
      'mallOrSupermarket',
      'hotel',
      'scenicSpot',
      'school',
      'hospital',
      'governmentServiceHall',
      'station',
    ]);
    for (const kind of VENUE_KINDS) {
      assert.ok(isVenueKind(kind));
      assert.match(VENUE_KIND_LABEL[kind]['zh-CN'], /^\p{Script=Han}+$/u);
      assert.match(VENUE_KIND_LABEL[kind].en, /^[a-z ]+$/);
    }
    assert.equal(new Set(VENUE_KINDS.map((k) => VENUE_KIND_LABEL[k]['zh-CN'])).size, 13);
  });

  void test('isVenueKind refuses anything else', () => {
    for (const value of ['Hotel', 'mall', '', null, 3, 'toString']) assert.equal(isVenueKind(value), false);
  });
});

void describe('validateVenueInput', () => {
  void test('normalises a valid venue', () => {
    assert.deepEqual(validateVenueInput(valid), {
      ok: true,
      value: {
        name: '山东大厦',
        kind: 'hotel',
        address: { divisionCode: '370102', detail: '历下区 泉城路 1 号' },
        contact: { name: '王经理', mobile: '+8613800138000' },
      },
    });
  });

  void test('every kind is accepted, and a city without counties is a valid division', () => {
    for (const kind of VENUE_KINDS) {
      const result = validateVenueInput({ ...valid, kind, address: { divisionCode: '441900', detail: 'x' } });
      assert.equal(result.ok, true, kind);
    }
  });

  void test('a name of exactly 100 characters (Chinese counted as one each) is accepted', () => {
    const result = validateVenueInput({ ...valid, name: '店'.repeat(100) });
    assert.equal(result.ok, true);
  });

  const cases: { name: string; input: unknown; expected: Record<string, string> }[] = [
    { name: 'not an object', input: 'hotel', expected: { '': 'venue_not_object' } },
    { name: 'an array', input: [valid], expected: { '': 'venue_not_object' } },
    {
      name: 'everything missing',
      input: {},
      expected: {
        name: 'field_required',
        kind: 'venue_kind_unknown',
        'address.divisionCode': 'field_required',
        'address.detail': 'field_required',
        'contact.name': 'field_required',
        'contact.mobile': 'field_required',
      },
    },
    { name: 'blank name', input: { ...valid, name: ' \t ' }, expected: { name: 'venue_name_invalid' } },
    {
      name: 'name of 101 characters',
      input: { ...valid, name: '店'.repeat(101) },
      expected: { name: 'venue_name_invalid' },
    },
    {
      name: 'control character in name',
      input: { ...valid, name: 'A\u0000B' },
      expected: { name: 'venue_name_invalid' },
    },
    { name: 'name is a number', input: { ...valid, name: 42 }, expected: { name: 'field_required' } },
    { name: 'unknown kind', input: { ...valid, kind: 'Hotel' }, expected: { kind: 'venue_kind_unknown' } },
    {
      name: 'division not 6 digits',
      input: { ...valid, address: { ...valid.address, divisionCode: '3701' } },
      expected: { 'address.divisionCode': 'address_division_format' },
    },
    {
      name: 'division unknown',
      input: { ...valid, address: { ...valid.address, divisionCode: '379999' } },
      expected: { 'address.divisionCode': 'address_division_unknown' },
    },
    {
      name: 'division is a province',
      input: { ...valid, address: { ...valid.address, divisionCode: '370000' } },
      expected: { 'address.divisionCode': 'address_division_not_county' },
    },
    {
      name: 'division is a 市辖区 aggregate',
      input: { ...valid, address: { ...valid.address, divisionCode: '370101' } },
      expected: { 'address.divisionCode': 'address_division_not_county' },
    },
    {
      name: 'address detail too long',
      input: { ...valid, address: { ...valid.address, detail: 'x'.repeat(201) } },
      expected: { 'address.detail': 'address_detail_invalid' },
    },
    {
      name: 'contact name blank',
      input: { ...valid, contact: { ...valid.contact, name: '' } },
      expected: { 'contact.name': 'contact_name_invalid' },
    },
    {
      name: 'contact mobile wrong',
      input: { ...valid, contact: { ...valid.contact, mobile: '12345' } },
      expected: { 'contact.mobile': 'mobile_mainland_invalid' },
    },
    {
      name: 'all fields wrong at once',
      input: {
        name: '',
        kind: 'castle',
        address: { divisionCode: 'abc', detail: '' },
        contact: { name: 'x'.repeat(65), mobile: 'call me' },
      },
      expected: {
        name: 'venue_name_invalid',
        kind: 'venue_kind_unknown',
        'address.divisionCode': 'address_division_format',
        'address.detail': 'address_detail_invalid',
        'contact.name': 'contact_name_invalid',
        'contact.mobile': 'mobile_format',
      },
    },
  ];
  for (const { name, input, expected } of cases) {
    void test(`refuses: ${name}`, () => assert.deepEqual(issuesOf(input), expected));
  }
});
