import { useEffect, useState } from 'preact/hooks';
import { IMPORT_KINDS } from '../../src/domain/imports/kinds.ts';
import { DOCUMENT_TYPE_OPTIONS } from '../application-form.ts';
import { currentLocale, t } from '../i18n/index.ts';
import {
  ErrorNotice,
  failureText,
  Labelled,
  shortTime,
  StatusNotice,
  useLoad,
  type ViewProps,
} from './common.tsx';
import {
  approveOverride,
  approveVenue,
  createStaffAccount,
  declareRiskArea,
  fetchAuditLog,
  fetchImport,
  fetchImports,
  fetchPolicies,
  fetchRiskAreas,
  fetchOverrides,
  fetchStaffAccounts,
  fetchVenues,
  liftRiskArea,
  lookupResident,
  previewPolicy,
  publishPolicy,
  requestOverride,
  updateStaffAccount,
  uploadImport,
  type AuditLogPageResponse,
  type ColourOverrideResponse,
  type ImportDetailResponse,
  type PolicyPreviewResponse,
  type ResidentLookupResponse,
  type StaffAccountResponse,
  type StaffRole,
} from './console-api.ts';
import { ImportProgress } from './dashboard.tsx';

function DocumentTypeSelect(props: {
  readonly id: string;
  readonly value: string;
  readonly onValue: (v: string) => void;
}) {
  return (
    <select id={props.id} value={props.value} onChange={(e) => props.onValue(e.currentTarget.value)}>
      {DOCUMENT_TYPE_OPTIONS.map((value) => (
        <option key={value} value={value}>
          {t(`apply.documentTypes.${value}`)}
        </option>
      ))}
    </select>
  );
}

// --- resident lookup --------------------------------------------------------------------------

/** lookupResident: by document or mobile, inside the jurisdiction, with a reason the resident sees. */
export function ResidentLookup(props: ViewProps) {
  const [by, setBy] = useState<'document' | 'mobile'>('document');
  const [documentType, setDocumentType] = useState('resident_id_card');
  const [documentNumber, setDocumentNumber] = useState('');
  const [mobile, setMobile] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [answer, setAnswer] = useState<ResidentLookupResponse | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (reason.trim().length < 4) {
      setError(t('console.lookup.reasonRequired'));
      return;
    }
    const result = await lookupResident(props.token, {
      reason: reason.trim(),
      ...(by === 'document'
        ? { documentType, documentNumber: documentNumber.trim() }
        : { mobile: mobile.trim() }),
    });
    if (!result.ok) {
      setAnswer(null);
      setError(failureText(result.failure));
      props.onFailure(result.failure);
      return;
    }
    setError(null);
    setAnswer(result.value);
  };
  return (
    <section class="console-view" aria-labelledby="view-heading">
      <h1 id="view-heading" tabIndex={-1}>
        {t('console.lookup.heading')}
      </h1>
      <p class="hint">{t('console.lookup.intro')}</p>
      <form class="console-form" onSubmit={(e) => void submit(e)} noValidate>
        <fieldset>
          <legend>{t('console.lookup.by')}</legend>
          {(['document', 'mobile'] as const).map((b) => (
            <div class="field field--checkbox" key={b}>
              <input
                id={`lookup-by-${b}`}
                type="radio"
                name="lookup-by"
                checked={by === b}
                onChange={() => setBy(b)}
              />
              <label for={`lookup-by-${b}`}>{t(`console.lookup.by_${b}`)}</label>
            </div>
          ))}
        </fieldset>
        {by === 'document' ? (
          <>
            <Labelled id="lookup-document-type" label={t('console.documentType')}>
              <DocumentTypeSelect id="lookup-document-type" value={documentType} onValue={setDocumentType} />
            </Labelled>
            <Labelled id="lookup-document-number" label={t('console.documentNumber')}>
              <input
                id="lookup-document-number"
                maxLength={40}
                value={documentNumber}
                onInput={(e) => setDocumentNumber(e.currentTarget.value)}
              />
            </Labelled>
          </>
        ) : (
          <Labelled id="lookup-mobile" label={t('console.mobile')}>
            <input
              id="lookup-mobile"
              type="tel"
              maxLength={24}
              value={mobile}
              onInput={(e) => setMobile(e.currentTarget.value)}
            />
          </Labelled>
        )}
        <Labelled id="lookup-reason" label={t('console.lookup.reason')} hint={t('console.lookup.reasonHint')}>
          <textarea
            id="lookup-reason"
            required
            rows={2}
            maxLength={500}
            aria-describedby="lookup-reason-hint"
            value={reason}
            onInput={(e) => setReason(e.currentTarget.value)}
          />
        </Labelled>
        <ErrorNotice message={error} />
        <button type="submit" class="button button--primary">
          {t('console.lookup.submit')}
        </button>
      </form>
      {answer !== null && answer.residents.length === 0 && (
        <p role="status">{t('console.lookup.noneFound')}</p>
      )}
      {answer?.residents.map((r) => (
        <article key={r.residentId} class="panel" aria-label={r.maskedName}>
          <h2>
            {r.maskedName} · {r.addressDivision}{' '}
            <span class={`badge badge--${r.colour}`}>{t(`console.colour.${r.colour}`)}</span>
          </h2>
          {r.until !== null && <p>{t('console.lookup.until', { time: shortTime(r.until) })}</p>}
          <ul>
            {r.reasons.map((reason) => (
              <li key={reason.ruleId}>{reason.text[currentLocale()]}</li>
            ))}
          </ul>
          <table class="data-table">
            <caption>{t('console.lookup.facts')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('console.lookup.kind')}</th>
                <th scope="col">{t('console.lookup.from')}</th>
                <th scope="col">{t('console.lookup.to')}</th>
                <th scope="col">{t('console.lookup.source')}</th>
              </tr>
            </thead>
            <tbody>
              {r.facts.map((f) => (
                <tr key={f.factId}>
                  <td>{f.kind}</td>
                  <td>{shortTime(f.from)}</td>
                  <td>{shortTime(f.to)}</td>
                  <td>
                    {t(`console.source.${f.source}`)} {f.sourceRef}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </article>
      ))}
    </section>
  );
}

// --- imports -----------------------------------------------------------------------------------

/** importRecords with progress; each import's invalid rows. */
export function ImportsView(props: ViewProps) {
  const imports = useLoad(() => fetchImports(props.token), props.onFailure);
  const [kind, setKind] = useState<string>(IMPORT_KINDS[0] ?? 'confirmed');
  const [strict, setStrict] = useState(false);
  const [file, setFile] = useState<File | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [detail, setDetail] = useState<ImportDetailResponse | null>(null);
  const show = async (importId: string) => {
    const result = await fetchImport(props.token, importId);
    if (result.ok) setDetail(result.value);
    else setError(failureText(result.failure));
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    if (file === null) {
      setError(t('console.required'));
      return;
    }
    const result = await uploadImport(props.token, kind, file, strict);
    if (!result.ok) {
      setError(
        result.code === 'network'
          ? t('errors.network')
          : t(`errors.${result.code}`, { defaultValue: result.message }),
      );
      return;
    }
    setError(null);
    setDetail(result.value);
    // Poll the running import until it ends.
    const poll = async (): Promise<void> => {
      await imports.reload();
      const status = await fetchImport(props.token, result.value.importId);
      if (!status.ok) return;
      setDetail(status.value);
      if (status.value.status === 'running') setTimeout(() => void poll(), 1000);
    };
    void poll();
  };
  return (
    <section class="console-view" aria-labelledby="view-heading">
      <h1 id="view-heading" tabIndex={-1}>
        {t('console.imports.heading')}
      </h1>
      <form class="console-form" onSubmit={(e) => void submit(e)} noValidate>
        <Labelled id="import-kind" label={t('console.imports.kind')}>
          <select id="import-kind" value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
            {IMPORT_KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </Labelled>
        <Labelled id="import-file" label={t('console.imports.file')} hint={t('console.imports.fileHint')}>
          <input
            id="import-file"
            type="file"
            accept=".csv,.jsonl,.ndjson,text/csv"
            onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
          />
        </Labelled>
        <div class="field field--checkbox">
          <input
            id="import-strict"
            type="checkbox"
            checked={strict}
            onChange={(e) => setStrict(e.currentTarget.checked)}
          />
          <label for="import-strict">{t('console.imports.strict')}</label>
        </div>
        <ErrorNotice message={error} />
        <button type="submit" class="button button--primary">
          {t('console.imports.upload')}
        </button>
      </form>
      {detail !== null && (
        <section class="panel" aria-labelledby="import-detail-heading">
          <h2 id="import-detail-heading">{t('console.imports.detail')}</h2>
          <ImportProgress item={detail} />
          {detail.error !== null && (
            <ErrorNotice message={t(`errors.${detail.error.code}`, { defaultValue: detail.error.message })} />
          )}
          {detail.errors.length > 0 && (
            <table class="data-table">
              <caption>{t('console.imports.invalidRows')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('console.imports.line')}</th>
                  <th scope="col">{t('console.imports.field')}</th>
                  <th scope="col">{t('console.imports.problem')}</th>
                </tr>
              </thead>
              <tbody>
                {detail.errors.map((row) => (
                  <tr key={`${row.line}-${row.field}`}>
                    <td>{row.line}</td>
                    <td>{row.field}</td>
                    <td>{t(`issues.${row.code}`, { defaultValue: row.message })}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
      <h2>{t('console.imports.recent')}</h2>
      <ErrorNotice message={imports.error} />
      <ul class="plain-list">
        {imports.data?.imports.map((i) => (
          <li key={i.importId}>
            <ImportProgress item={i} />
            <button type="button" class="button button--link" onClick={() => void show(i.importId)}>
              {t('console.imports.showDetail')}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

// --- risk areas and policy ---------------------------------------------------------------------

/** Risk areas in force; admins declare and lift, preview a policy per county and publish it (P2). */
export function RiskAreasView(props: ViewProps & { readonly admin: boolean }) {
  const areas = useLoad(() => fetchRiskAreas(props.token), props.onFailure);
  const policies = useLoad(() => fetchPolicies(props.token), props.onFailure);
  const [division, setDivision] = useState('');
  const [level, setLevel] = useState<'high' | 'medium'>('medium');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const declare = async (e: Event) => {
    e.preventDefault();
    const result = await declareRiskArea(props.token, {
      divisionCode: division.trim(),
      level,
      ...(note.trim() === '' ? {} : { note: note.trim() }),
    });
    if (!result.ok) {
      setError(failureText(result.failure));
      return;
    }
    setError(null);
    setStatus(t('console.risk.declared', { n: result.value.residentsToReassess }));
    void areas.reload();
  };
  const lift = async (riskAreaId: string) => {
    const result = await liftRiskArea(props.token, riskAreaId);
    if (!result.ok) setError(failureText(result.failure));
    else void areas.reload();
  };
  const inForce = policies.data?.policies.find((p) => p.status === 'in_force');
  return (
    <section class="console-view" aria-labelledby="view-heading">
      <h1 id="view-heading" tabIndex={-1}>
        {t('console.risk.heading')}
      </h1>
      <ErrorNotice message={areas.error ?? error} />
      <StatusNotice message={status} />
      <table class="data-table">
        <caption>{t('console.risk.inForce')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('console.county')}</th>
            <th scope="col">{t('console.risk.level')}</th>
            <th scope="col">{t('console.risk.from')}</th>
            <th scope="col">{t('console.risk.note')}</th>
            {props.admin && <th scope="col">{t('console.actions')}</th>}
          </tr>
        </thead>
        <tbody>
          {areas.data?.riskAreas.length === 0 && (
            <tr>
              <td colSpan={5}>{t('console.none')}</td>
            </tr>
          )}
          {areas.data?.riskAreas.map((a) => (
            <tr key={a.riskAreaId}>
              <td>
                {a.divisionName} {a.subArea ?? ''} <span class="muted">{a.divisionCode}</span>
              </td>
              <td>{t(`console.risk.${a.level}`)}</td>
              <td>{shortTime(a.from)}</td>
              <td>{a.note}</td>
              {props.admin && (
                <td>
                  <button
                    type="button"
                    class="button button--secondary"
                    onClick={() => void lift(a.riskAreaId)}
                  >
                    {t('console.risk.lift')}
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {props.admin && (
        <form class="console-form" onSubmit={(e) => void declare(e)} noValidate>
          <h2>{t('console.risk.declare')}</h2>
          <Labelled id="risk-division" label={t('console.divisionCode')}>
            <input
              id="risk-division"
              inputMode="numeric"
              maxLength={6}
              value={division}
              onInput={(e) => setDivision(e.currentTarget.value)}
            />
          </Labelled>
          <Labelled id="risk-level" label={t('console.risk.level')}>
            <select
              id="risk-level"
              value={level}
              onChange={(e) => setLevel(e.currentTarget.value === 'high' ? 'high' : 'medium')}
            >
              <option value="medium">{t('console.risk.medium')}</option>
              <option value="high">{t('console.risk.high')}</option>
            </select>
          </Labelled>
          <Labelled id="risk-note" label={t('console.risk.note')}>
            <input
              id="risk-note"
              maxLength={500}
              value={note}
              onInput={(e) => setNote(e.currentTarget.value)}
            />
          </Labelled>
          <button type="submit" class="button button--primary">
            {t('console.risk.declare')}
          </button>
        </form>
      )}
      <h2>{t('console.policy.heading')}</h2>
      <ErrorNotice message={policies.error} />
      {inForce !== undefined && (
        <p>
          {t('console.policy.inForce', {
            version: inForce.version,
            from: shortTime(inForce.effectiveFrom),
            rules: inForce.rules,
          })}
        </p>
      )}
      {props.admin && (
        <PolicyEditor
          // A new editor once the policy in force has loaded: it starts from that document.
          key={inForce?.version ?? 'none'}
          {...props}
          current={inForce?.policy ?? null}
          onPublished={() => void policies.reload()}
        />
      )}
    </section>
  );
}

function PolicyEditor(props: ViewProps & { readonly current: unknown; readonly onPublished: () => void }) {
  const [text, setText] = useState(() =>
    props.current === null ? '' : JSON.stringify(props.current, null, 2),
  );
  const [note, setNote] = useState('');
  const [preview, setPreview] = useState<PolicyPreviewResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const parse = (): Record<string, unknown> | null => {
    try {
      const value: unknown = JSON.parse(text);
      if (typeof value === 'object' && value !== null && !Array.isArray(value))
        return value as Record<string, unknown>;
    } catch {
      // falls through
    }
    setError(t('console.policy.notJson'));
    return null;
  };
  const runPreview = async () => {
    const policy = parse();
    if (policy === null) return;
    const result = await previewPolicy(props.token, policy, note);
    if (!result.ok) {
      setPreview(null);
      setError(failureText(result.failure));
      return;
    }
    setError(null);
    setPreview(result.value);
  };
  const publish = async () => {
    const policy = parse();
    if (policy === null) return;
    const result = await publishPolicy(props.token, policy, note);
    if (!result.ok) {
      setError(failureText(result.failure));
      return;
    }
    setError(null);
    setPreview(null);
    setStatus(t('console.policy.published', { version: result.value.version }));
    props.onPublished();
  };
  return (
    <div class="console-form">
      <Labelled id="policy-json" label={t('console.policy.document')} hint={t('console.policy.documentHint')}>
        <textarea
          id="policy-json"
          class="code-text"
          rows={12}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
        />
      </Labelled>
      <Labelled id="policy-note" label={t('console.policy.note')}>
        <input
          id="policy-note"
          maxLength={1000}
          value={note}
          onInput={(e) => setNote(e.currentTarget.value)}
        />
      </Labelled>
      <ErrorNotice message={error} />
      <StatusNotice message={status} />
      <div class="button-row">
        <button type="button" class="button button--secondary" onClick={() => void runPreview()}>
          {t('console.policy.preview')}
        </button>
        <button
          type="button"
          class="button button--primary"
          disabled={preview === null}
          onClick={() => void publish()}
        >
          {t('console.policy.publish')}
        </button>
      </div>
      {preview !== null && (
        <table class="data-table" id="policy-preview">
          <caption>
            {t('console.policy.previewCaption', {
              version: preview.version,
              total: preview.changes.total,
              residents: preview.residents,
              at: shortTime(preview.at),
            })}
          </caption>
          <thead>
            <tr>
              <th scope="col">{t('console.county')}</th>
              <th scope="col">{t('console.policy.changes')}</th>
              <th scope="col">{t('console.policy.byDirection')}</th>
            </tr>
          </thead>
          <tbody>
            {preview.byCounty.map((c) => (
              <tr key={c.divisionCode}>
                <th scope="row">{c.divisionName}</th>
                <td>{c.total}</td>
                <td>
                  {Object.entries(c.byDirection)
                    .map(([direction, n]) => `${direction}: ${n}`)
                    .join(', ')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

// --- venues ------------------------------------------------------------------------------------

/** Venues waiting for approval, and the approved ones with their complaint flag (S16). */
export function VenuesView(props: ViewProps) {
  const pending = useLoad(() => fetchVenues(props.token, 'pending'), props.onFailure);
  const approved = useLoad(() => fetchVenues(props.token, 'approved'), props.onFailure);
  const [error, setError] = useState<string | null>(null);
  const approve = async (venueId: number) => {
    const result = await approveVenue(props.token, venueId);
    if (!result.ok) {
      setError(failureText(result.failure));
      return;
    }
    setError(null);
    void pending.reload();
    void approved.reload();
  };
  const table = (
    venues: NonNullable<typeof pending.data>['venues'],
    withApprove: boolean,
    caption: string,
  ) => (
    <table class="data-table">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t('console.venues.name')}</th>
          <th scope="col">{t('console.venues.address')}</th>
          <th scope="col">{t('console.venues.complaints')}</th>
          <th scope="col">{withApprove ? t('console.actions') : t('console.venues.approvedAt')}</th>
        </tr>
      </thead>
      <tbody>
        {venues.length === 0 && (
          <tr>
            <td colSpan={4}>{t('console.none')}</td>
          </tr>
        )}
        {venues.map((v) => (
          <tr key={v.venueId} class={v.flagged === true ? 'row--flagged' : undefined}>
            <th scope="row">
              {v.name} <span class="muted">{v.kindLabel[currentLocale()]}</span>
            </th>
            <td>
              {v.address.divisionCode} {v.address.detail}
            </td>
            <td>
              {v.complaints30Days ?? 0}
              {v.flagged === true && (
                <span class="badge badge--escalated"> {t('console.venues.flagged')}</span>
              )}
            </td>
            <td>
              {withApprove ? (
                <button type="button" class="button button--primary" onClick={() => void approve(v.venueId)}>
                  {t('console.venues.approve')}
                </button>
              ) : (
                shortTime(v.approvedAt)
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
  return (
    <section class="console-view" aria-labelledby="view-heading">
      <h1 id="view-heading" tabIndex={-1}>
        {t('console.venues.heading')}
      </h1>
      <ErrorNotice message={error ?? pending.error ?? approved.error} />
      {table(pending.data?.venues ?? [], true, t('console.venues.pending'))}
      {table(approved.data?.venues ?? [], false, t('console.venues.approved'))}
    </section>
  );
}

// --- colour overrides --------------------------------------------------------------------------

const MAX_OVERRIDE_DAYS = 14;

/**
 * requestColourOverride (reason, end ≤ 14 days) and the queue of pending requests of the
 * jurisdiction (listColourOverrides), which a second officer approves (P4).
 */
export function OverridesView(props: ViewProps) {
  const [documentType, setDocumentType] = useState('resident_id_card');
  const [documentNumber, setDocumentNumber] = useState('');
  const [colour, setColour] = useState<'green' | 'yellow' | 'red'>('green');
  const [reason, setReason] = useState('');
  const [endsAt, setEndsAt] = useState('');
  const [shown, setShown] = useState<'pending' | 'in_force' | 'ended'>('pending');
  const overrides = useLoad(() => fetchOverrides(props.token, shown), props.onFailure);
  const { reload } = overrides;
  useEffect(() => {
    void reload();
  }, [shown, reload]);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const maxDate = new Date(Date.now() + 8 * 3_600_000 + MAX_OVERRIDE_DAYS * 86_400_000)
    .toISOString()
    .slice(0, 10);
  const request = async (e: Event) => {
    e.preventDefault();
    if (reason.trim() === '' || endsAt === '') {
      setError(t('console.required'));
      return;
    }
    const result = await requestOverride(props.token, {
      documentType,
      documentNumber: documentNumber.trim(),
      colour,
      reason: reason.trim(),
      endsAt,
    });
    if (!result.ok) {
      setError(failureText(result.failure));
      return;
    }
    setError(null);
    setStatus(t('console.overrides.requested', { id: result.value.overrideId }));
    void reload();
  };
  const approve = async (override: ColourOverrideResponse) => {
    const result = await approveOverride(props.token, override.overrideId);
    if (!result.ok) {
      setError(failureText(result.failure));
      return;
    }
    setError(null);
    setStatus(
      t('console.overrides.approved', { colour: t(`console.colour.${result.value.resident.colour}`) }),
    );
    void reload();
  };
  return (
    <section class="console-view" aria-labelledby="view-heading">
      <h1 id="view-heading" tabIndex={-1}>
        {t('console.overrides.heading')}
      </h1>
      <p class="hint">{t('console.overrides.intro', { days: MAX_OVERRIDE_DAYS })}</p>
      <ErrorNotice message={error ?? overrides.error} />
      <StatusNotice message={status} />
      <div class="field field--inline">
        <label for="ovr-shown">{t('console.overrides.show')}</label>
        <select
          id="ovr-shown"
          value={shown}
          onChange={(e) => {
            const v = e.currentTarget.value;
            setShown(v === 'in_force' || v === 'ended' ? v : 'pending');
          }}
        >
          {(['pending', 'in_force', 'ended'] as const).map((s) => (
            <option key={s} value={s}>
              {t(`console.overrides.status.${s}`)}
            </option>
          ))}
        </select>
      </div>
      <table class="data-table" id="overrides">
        <caption>{t('console.overrides.list')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('console.overrides.colour')}</th>
            <th scope="col">{t('console.overrides.reason')}</th>
            <th scope="col">{t('console.county')}</th>
            <th scope="col">{t('console.overrides.requestedAt')}</th>
            <th scope="col">{t('console.overrides.endsAt')}</th>
            <th scope="col">{t('console.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {overrides.data?.overrides.length === 0 && (
            <tr>
              <td colSpan={6}>{t('console.none')}</td>
            </tr>
          )}
          {overrides.data?.overrides.map((o) => (
            <tr key={o.overrideId} data-override-id={o.overrideId}>
              <td>
                <span class={`badge badge--${o.colour}`}>{t(`console.colour.${o.colour}`)}</span>
              </td>
              <td class="queue__text">{o.reason}</td>
              <td>{o.divisionCode}</td>
              <td>
                {shortTime(o.requestedAt)} · {t('console.overrides.by', { id: o.requestedBy })}
              </td>
              <td>{shortTime(o.endsAt)}</td>
              <td>
                {o.status === 'pending' ? (
                  <button type="button" class="button button--primary" onClick={() => void approve(o)}>
                    {t('console.overrides.approveSubmit')}
                  </button>
                ) : (
                  t(`console.overrides.status.${o.status}`)
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form class="console-form" onSubmit={(e) => void request(e)} noValidate>
        <h2>{t('console.overrides.request')}</h2>
        <Labelled id="ovr-document-type" label={t('console.documentType')}>
          <DocumentTypeSelect id="ovr-document-type" value={documentType} onValue={setDocumentType} />
        </Labelled>
        <Labelled id="ovr-document-number" label={t('console.documentNumber')}>
          <input
            id="ovr-document-number"
            maxLength={40}
            value={documentNumber}
            onInput={(e) => setDocumentNumber(e.currentTarget.value)}
          />
        </Labelled>
        <Labelled id="ovr-colour" label={t('console.overrides.colour')}>
          <select
            id="ovr-colour"
            value={colour}
            onChange={(e) => {
              const v = e.currentTarget.value;
              setColour(v === 'red' || v === 'yellow' ? v : 'green');
            }}
          >
            {(['green', 'yellow', 'red'] as const).map((c) => (
              <option key={c} value={c}>
                {t(`console.colour.${c}`)}
              </option>
            ))}
          </select>
        </Labelled>
        <Labelled id="ovr-reason" label={t('console.overrides.reason')}>
          <textarea
            id="ovr-reason"
            rows={2}
            maxLength={500}
            required
            value={reason}
            onInput={(e) => setReason(e.currentTarget.value)}
          />
        </Labelled>
        <Labelled
          id="ovr-ends"
          label={t('console.overrides.endsAt')}
          hint={t('console.overrides.endsHint', { days: MAX_OVERRIDE_DAYS })}
        >
          <input
            id="ovr-ends"
            type="date"
            max={maxDate}
            required
            aria-describedby="ovr-ends-hint"
            value={endsAt}
            onInput={(e) => setEndsAt(e.currentTarget.value)}
          />
        </Labelled>
        <button type="submit" class="button button--primary">
          {t('console.overrides.requestSubmit')}
        </button>
      </form>
    </section>
  );
}

// --- staff accounts ----------------------------------------------------------------------------

/** Roles an admin creates here; checkpoint staff are added by their venue's manager. */
const ROLES: readonly StaffRole[] = ['officer', 'admin', 'auditor', 'hospital'];
const divisionList = (text: string) =>
  text
    .split(/[\s,，]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** Admins: create, disable and re-scope staff accounts; the one-time setup link shown once. */
export function StaffView(props: ViewProps) {
  const accounts = useLoad(() => fetchStaffAccounts(props.token), props.onFailure);
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<StaffRole>('officer');
  const [divisions, setDivisions] = useState('');
  const [venueId, setVenueId] = useState('');
  const [link, setLink] = useState<{ url: string; expiresAt: string; username: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const create = async (e: Event) => {
    e.preventDefault();
    const result = await createStaffAccount(props.token, {
      username: username.trim(),
      displayName: displayName.trim(),
      role,
      // A hospital account works at one approved hospital venue: its district is the jurisdiction.
      ...(role === 'hospital'
        ? { venueId: /^\d{1,15}$/.test(venueId.trim()) ? Number(venueId.trim()) : 0 }
        : { divisionCodes: divisionList(divisions) }),
    });
    if (!result.ok) {
      setError(failureText(result.failure));
      return;
    }
    setError(null);
    setLink({ ...result.value.setupLink, username: result.value.account.username });
    void accounts.reload();
  };
  const update = async (a: StaffAccountResponse, body: Parameters<typeof updateStaffAccount>[2]) => {
    const result = await updateStaffAccount(props.token, a.staffId, body);
    if (!result.ok) {
      setError(failureText(result.failure));
      return;
    }
    setError(null);
    if (result.value.setupLink !== null) setLink({ ...result.value.setupLink, username: a.username });
    void accounts.reload();
  };
  return (
    <section class="console-view" aria-labelledby="view-heading">
      <h1 id="view-heading" tabIndex={-1}>
        {t('console.staff.heading')}
      </h1>
      <ErrorNotice message={error ?? accounts.error} />
      {link !== null && (
        <div class="notice notice--warning" role="status">
          <p>{t('console.staff.linkOnce', { username: link.username, time: shortTime(link.expiresAt) })}</p>
          <p>
            <code id="setup-link">{link.url}</code>
          </p>
        </div>
      )}
      <form class="console-form" onSubmit={(e) => void create(e)} noValidate>
        <h2>{t('console.staff.create')}</h2>
        <Labelled id="staff-username" label={t('console.staff.username')}>
          <input
            id="staff-username"
            maxLength={64}
            autoComplete="off"
            value={username}
            onInput={(e) => setUsername(e.currentTarget.value)}
          />
        </Labelled>
        <Labelled id="staff-display" label={t('console.staff.displayName')}>
          <input
            id="staff-display"
            maxLength={200}
            value={displayName}
            onInput={(e) => setDisplayName(e.currentTarget.value)}
          />
        </Labelled>
        <Labelled id="staff-role" label={t('console.staff.role')}>
          <select
            id="staff-role"
            value={role}
            onChange={(e) => setRole(ROLES.find((r) => r === e.currentTarget.value) ?? 'officer')}
          >
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`console.role.${r}`)}
              </option>
            ))}
          </select>
        </Labelled>
        {role === 'hospital' ? (
          <Labelled id="staff-venue" label={t('console.staff.venue')} hint={t('console.staff.venueHint')}>
            <input
              id="staff-venue"
              inputMode="numeric"
              value={venueId}
              onInput={(e) => setVenueId(e.currentTarget.value)}
            />
          </Labelled>
        ) : (
          <Labelled
            id="staff-divisions"
            label={t('console.staff.divisions')}
            hint={t('console.staff.divisionsHint')}
          >
            <input
              id="staff-divisions"
              value={divisions}
              onInput={(e) => setDivisions(e.currentTarget.value)}
            />
          </Labelled>
        )}
        <button type="submit" class="button button--primary">
          {t('console.staff.createSubmit')}
        </button>
      </form>
      <table class="data-table">
        <caption>{t('console.staff.list')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('console.staff.username')}</th>
            <th scope="col">{t('console.staff.role')}</th>
            <th scope="col">{t('console.staff.divisions')}</th>
            <th scope="col">{t('console.staff.state')}</th>
            <th scope="col">{t('console.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {accounts.data?.accounts.map((a) => (
            <StaffRow key={a.staffId} account={a} onUpdate={(body) => void update(a, body)} />
          ))}
        </tbody>
      </table>
    </section>
  );
}

function StaffRow(props: {
  readonly account: StaffAccountResponse;
  readonly onUpdate: (body: Parameters<typeof updateStaffAccount>[2]) => void;
}) {
  const a = props.account;
  const [divisions, setDivisions] = useState(a.divisionCodes.join(' '));
  return (
    <tr class={a.disabled ? 'row--disabled' : undefined}>
      <th scope="row">
        {a.username} <span class="muted">{a.displayName}</span>
      </th>
      <td>{t(`console.role.${a.role}`)}</td>
      <td>
        <label class="visually-hidden" for={`scope-${a.staffId}`}>
          {t('console.staff.divisions')} {a.username}
        </label>
        <input
          id={`scope-${a.staffId}`}
          class="input--short"
          value={divisions}
          onInput={(e) => setDivisions(e.currentTarget.value)}
        />
        <button
          type="button"
          class="button button--link"
          onClick={() => props.onUpdate({ divisionCodes: divisionList(divisions) })}
        >
          {t('console.staff.rescope')}
        </button>
      </td>
      <td>
        {a.disabled ? t('console.staff.disabled') : t('console.staff.active')}
        {' · '}
        {a.passwordSet ? t('console.staff.passwordSet') : t('console.staff.passwordNotSet')}
        {a.secondFactorEnrolled && ` · ${t('console.staff.totp')}`}
      </td>
      <td class="button-row">
        <button
          type="button"
          class="button button--secondary"
          onClick={() => props.onUpdate({ disabled: !a.disabled })}
        >
          {a.disabled ? t('console.staff.enable') : t('console.staff.disable')}
        </button>
        <button
          type="button"
          class="button button--secondary"
          onClick={() => props.onUpdate({ newSetupLink: true })}
        >
          {t('console.staff.newLink')}
        </button>
      </td>
    </tr>
  );
}

// --- audit log ---------------------------------------------------------------------------------

/** listAuditLog as the API gives it: ids, codes, counts and flags only — nothing personal. */
export function AuditLogView(props: ViewProps) {
  const [pages, setPages] = useState<readonly AuditLogPageResponse[]>([]);
  const first = useLoad(() => fetchAuditLog(props.token, null), props.onFailure);
  const [error, setError] = useState<string | null>(null);
  const all = [first.data, ...pages].filter((p): p is AuditLogPageResponse => p !== null);
  const next = all.length === 0 ? null : (all[all.length - 1]?.nextAfter ?? null);
  const more = async () => {
    if (next === null) return;
    const result = await fetchAuditLog(props.token, next);
    if (!result.ok) setError(failureText(result.failure));
    else setPages((p) => [...p, result.value]);
  };
  return (
    <section class="console-view" aria-labelledby="view-heading">
      <h1 id="view-heading" tabIndex={-1}>
        {t('console.audit.heading')}
      </h1>
      <p class="hint">{t('console.audit.intro')}</p>
      <ErrorNotice message={first.error ?? error} />
      <table class="data-table" id="audit-log">
        <caption class="visually-hidden">{t('console.audit.heading')}</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">{t('console.audit.at')}</th>
            <th scope="col">{t('console.audit.actor')}</th>
            <th scope="col">{t('console.audit.action')}</th>
            <th scope="col">{t('console.audit.resident')}</th>
            <th scope="col">{t('console.audit.detail')}</th>
          </tr>
        </thead>
        <tbody>
          {all.flatMap((p) =>
            p.entries.map((e) => (
              <tr key={e.id} data-action={e.action}>
                <td>{e.id}</td>
                <td>{shortTime(e.at)}</td>
                <td>
                  {t(`console.audit.actorKind.${e.actorKind}`)} {e.actorId ?? ''}
                </td>
                <td>
                  <code>{e.action}</code>
                </td>
                <td>{e.residentId ?? '—'}</td>
                <td class="audit-detail">
                  <code>{JSON.stringify(e.detail)}</code>
                </td>
              </tr>
            )),
          )}
        </tbody>
      </table>
      {next !== null && (
        <button type="button" class="button button--secondary" onClick={() => void more()}>
          {t('console.audit.more')}
        </button>
      )}
    </section>
  );
}
