import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { chinaDate } from '../../src/domain/china-time.ts';
import type { EpochMs } from '../../src/domain/types.ts';
import { t } from '../i18n/index.ts';
import { ColourChart, type Series } from './charts.tsx';
import { ErrorNotice, failureText, shortTime, useLoad, type ViewProps } from './common.tsx';
import {
  fetchImports,
  fetchReports,
  fetchStatistics,
  moveReport,
  type ColourStatisticsResponse,
  type ImportListResponse,
  type ReportResponse,
} from './console-api.ts';
import { openReportStream, type StreamState } from './report-stream.ts';

/** How often the dashboard reloads the counts and the imports while it is open. */
const REFRESH_MS = 3_000;
const DAY_MS = 86_400_000;
const HISTORY_DAYS = 30;
const COLOURS = ['green', 'yellow', 'red'] as const;

/** The dashboard: colours per county now and for 30 days, the live report queue, the imports. */
export function Dashboard(props: ViewProps) {
  const { token, onFailure } = props;
  const range = useMemo(() => {
    const now = Date.now() as EpochMs;
    return { from: chinaDate((now - (HISTORY_DAYS - 1) * DAY_MS) as EpochMs), to: chinaDate(now) };
  }, []);
  const stats = useLoad(() => fetchStatistics(token, range.from, range.to), onFailure);
  const imports = useLoad(() => fetchImports(token), onFailure);
  const { reload: reloadStats } = stats;
  const { reload: reloadImports } = imports;
  useEffect(() => {
    const timer = setInterval(() => {
      void reloadStats();
      void reloadImports();
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reloadStats, reloadImports]);

  return (
    <section class="console-view" aria-labelledby="view-heading">
      <h1 id="view-heading" tabIndex={-1}>
        {t('console.dashboard.heading')}
      </h1>
      <div class="console-grid">
        <ColoursNow stats={stats.data} error={stats.error} onRefresh={() => void reloadStats()} />
        <ColourHistory stats={stats.data} />
        <ReportQueue token={token} onFailure={onFailure} />
        <ImportsPanel imports={imports.data} error={imports.error} />
      </div>
    </section>
  );
}

function ColoursNow(props: {
  readonly stats: ColourStatisticsResponse | null;
  readonly error: string | null;
  readonly onRefresh: () => void;
}) {
  const counties = props.stats?.now ?? [];
  const series: Series[] = useMemo(
    () =>
      COLOURS.map((c) => ({ label: t(`console.colour.${c}`), colour: c, values: counties.map((x) => x[c]) })),
    [counties],
  );
  const labels = useMemo(() => counties.map((c) => c.divisionName), [counties]);
  return (
    <section class="panel panel--wide" aria-labelledby="now-heading">
      <div class="panel__head">
        <h2 id="now-heading">{t('console.dashboard.now')}</h2>
        <button type="button" class="button button--secondary" onClick={props.onRefresh}>
          {t('console.refresh')}
        </button>
      </div>
      <ErrorNotice message={props.error} />
      {props.stats !== null && (
        <p class="hint">{t('console.dashboard.asOf', { time: shortTime(props.stats.at) })}</p>
      )}
      <ColourChart type="bar" labels={labels} series={series} label={t('console.dashboard.nowChart')} />
      <table class="data-table" id="colours-now">
        <caption class="visually-hidden">{t('console.dashboard.now')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('console.county')}</th>
            {COLOURS.map((c) => (
              <th scope="col" key={c}>
                {t(`console.colour.${c}`)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {counties.length === 0 && (
            <tr>
              <td colSpan={4}>{t('console.none')}</td>
            </tr>
          )}
          {counties.map((c) => (
            <tr key={c.divisionCode} data-division={c.divisionCode}>
              <th scope="row">
                {c.divisionName} <span class="muted">{c.divisionCode}</span>
              </th>
              {COLOURS.map((colour) => (
                <td key={colour} data-colour={colour}>
                  {c[colour]}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function ColourHistory(props: { readonly stats: ColourStatisticsResponse | null }) {
  const [county, setCounty] = useState('');
  const days = props.stats?.days ?? [];
  const counties = props.stats?.now ?? [];
  const labels = useMemo(() => days.map((d) => d.day.slice(5)), [days]);
  const series: Series[] = useMemo(
    () =>
      COLOURS.map((c) => ({
        label: t(`console.colour.${c}`),
        colour: c,
        values: days.map((d) =>
          d.counties
            .filter((x) => county === '' || x.divisionCode === county)
            .reduce((sum, x) => sum + x[c], 0),
        ),
      })),
    [days, county],
  );
  return (
    <section class="panel panel--wide" aria-labelledby="history-heading">
      <h2 id="history-heading">{t('console.dashboard.history', { days: HISTORY_DAYS })}</h2>
      <div class="field field--inline">
        <label for="history-county">{t('console.county')}</label>
        <select id="history-county" value={county} onChange={(e) => setCounty(e.currentTarget.value)}>
          <option value="">{t('console.dashboard.allCounties')}</option>
          {counties.map((c) => (
            <option key={c.divisionCode} value={c.divisionCode}>
              {c.divisionName}
            </option>
          ))}
        </select>
      </div>
      {days.length === 0 ? (
        <p class="hint">{t('console.dashboard.noHistory')}</p>
      ) : (
        <ColourChart
          type="line"
          labels={labels}
          series={series}
          label={t('console.dashboard.historyChart')}
        />
      )}
    </section>
  );
}

const mergeReport = (list: readonly ReportResponse[], report: ReportResponse): ReportResponse[] =>
  [report, ...list.filter((r) => r.reportId !== report.reportId)].sort((a, b) => b.reportId - a.reportId);

/** Reports of yellow and red codes and fevers (S7): the open ones, and new ones as they happen. */
export function ReportQueue(props: ViewProps & { readonly all?: boolean }) {
  const { token, onFailure } = props;
  const [reports, setReports] = useState<readonly ReportResponse[]>([]);
  const [fresh, setFresh] = useState<ReadonlySet<number>>(new Set());
  const [state, setState] = useState<StreamState>('connecting');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<number | null>(null);

  useEffect(() => {
    let live = true;
    void fetchReports(token).then((result) => {
      if (!live) return;
      if (!result.ok) {
        setError(failureText(result.failure));
        onFailure(result.failure);
        return;
      }
      setReports((current) => result.value.reports.reduce(mergeReport, [...current]));
    });
    const stream = openReportStream(token, {
      onReport: (report) => {
        setReports((current) => mergeReport(current, report));
        setFresh((current) => new Set(current).add(report.reportId));
      },
      onState: (s) => {
        if (live) setState(s);
      },
      onUnauthorized: () =>
        onFailure({
          kind: 'api',
          status: 401,
          error: { code: 'session_expired', message: 'Session expired.', requestId: '' },
        }),
    });
    return () => {
      live = false;
      stream.close();
    };
  }, [token, onFailure]);

  const move = useCallback(
    async (report: ReportResponse, next: 'acknowledged' | 'handled') => {
      setBusy(report.reportId);
      const result = await moveReport(token, report.reportId, { state: next });
      setBusy(null);
      if (!result.ok) {
        setError(failureText(result.failure));
        onFailure(result.failure);
        return;
      }
      setError(null);
      setReports((current) => mergeReport(current, result.value));
    },
    [token, onFailure],
  );

  const shown = props.all === true ? reports : reports.filter((r) => r.state !== 'handled');
  return (
    <section class="panel" aria-labelledby="queue-heading">
      <div class="panel__head">
        <h2 id="queue-heading">{t('console.reports.heading')}</h2>
        <span class={`stream-state stream-state--${state}`} role="status" id="stream-state">
          {t(`console.reports.stream.${state}`)}
        </span>
      </div>
      <ErrorNotice message={error} />
      <ul class="report-list" id="report-queue" aria-live="polite" aria-relevant="additions">
        {shown.length === 0 && <li class="hint">{t('console.reports.empty')}</li>}
        {shown.map((r) => (
          <li
            key={r.reportId}
            class={`report report--${r.kind}${fresh.has(r.reportId) ? ' report--fresh' : ''}`}
            data-report-id={r.reportId}
            data-kind={r.kind}
            data-state={r.state}
          >
            <div class="report__main">
              <strong class="report__kind">{t(`console.reports.kind.${r.kind}`)}</strong>{' '}
              <span class="report__venue">{r.venueName}</span>
              {r.maskedName !== null && <span class="report__name"> · {r.maskedName}</span>}
              <div class="muted">
                {shortTime(r.createdAt)} · {r.divisionCode} · {t(`console.reports.state.${r.state}`)}
              </div>
            </div>
            <div class="button-row">
              {r.state === 'new' && (
                <button
                  type="button"
                  class="button button--secondary"
                  disabled={busy === r.reportId}
                  onClick={() => void move(r, 'acknowledged')}
                >
                  {t('console.reports.acknowledge')}
                </button>
              )}
              {r.state !== 'handled' && (
                <button
                  type="button"
                  class="button button--secondary"
                  disabled={busy === r.reportId}
                  onClick={() => void move(r, 'handled')}
                >
                  {t('console.reports.handle')}
                </button>
              )}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function ImportProgress(props: { readonly item: ImportListResponse['imports'][number] }) {
  const i = props.item;
  const total = i.bytesTotal ?? 0;
  return (
    <>
      <div>
        <strong>{i.fileName}</strong> · {t(`console.imports.status.${i.status}`)} · {i.kind}
      </div>
      {i.status === 'running' && total > 0 ? (
        <progress max={total} value={i.bytesRead} aria-label={t('console.imports.progress')} />
      ) : null}
      <div class="muted">
        {t('console.imports.counts', {
          read: i.rowsRead,
          imported: i.rowsImported,
          duplicate: i.rowsDuplicate,
          invalid: i.rowsInvalid,
          matched: i.residentsMatched,
        })}
      </div>
      <div class="muted">{shortTime(i.startedAt)}</div>
    </>
  );
}

function ImportsPanel(props: { readonly imports: ImportListResponse | null; readonly error: string | null }) {
  const list = props.imports?.imports.slice(0, 8) ?? [];
  return (
    <section class="panel" aria-labelledby="imports-heading">
      <h2 id="imports-heading">{t('console.imports.heading')}</h2>
      <ErrorNotice message={props.error} />
      <ul class="plain-list" id="dashboard-imports">
        {list.length === 0 && <li class="hint">{t('console.none')}</li>}
        {list.map((i) => (
          <li key={i.importId} data-import-id={i.importId} data-status={i.status}>
            <ImportProgress item={i} />
          </li>
        ))}
      </ul>
    </section>
  );
}
