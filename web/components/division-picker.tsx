import { childDivisions, divisionPath } from '../../src/domain/identity/divisions.ts';
import type { FieldIssue } from '../../src/domain/types.ts';
import { errorId, fieldId } from '../application-form.ts';
import { t } from '../i18n/index.ts';
import { FieldErrors } from './field.tsx';

/**
 * A GB/T 2260 division chosen province → city → county (the domain's table, bundled with the page
 * that uses it). The value is the deepest level chosen: a province, a city or a county code; ''
 * while nothing is chosen. The province select carries the field's id, so its issues focus there.
 */
export function DivisionPicker(props: {
  path: string;
  label: string;
  hint?: string;
  value: string;
  onValue: (code: string) => void;
  issues: readonly FieldIssue[] | undefined;
}) {
  const chosen = divisionPath(props.value);
  const [province, city, county] = [chosen[0]?.code ?? '', chosen[1]?.code ?? '', chosen[2]?.code ?? ''];
  const invalid = props.issues !== undefined && props.issues.length > 0;
  const id = fieldId(props.path);
  const levels: { key: string; label: string; parent: string | null; value: string; show: boolean }[] = [
    { key: 'province', label: t('division.province'), parent: null, value: province, show: true },
    { key: 'city', label: t('division.city'), parent: province, value: city, show: province !== '' },
    { key: 'county', label: t('division.county'), parent: city, value: county, show: city !== '' },
  ];
  return (
    <fieldset
      class={`division-picker${invalid ? ' field--invalid' : ''}`}
      aria-describedby={invalid ? errorId(props.path) : undefined}
    >
      <legend>{props.label}</legend>
      {props.hint !== undefined && <p class="hint">{props.hint}</p>}
      {levels
        .filter((level) => level.show)
        .map((level) => {
          const options = childDivisions(level.parent);
          if (level.key !== 'province' && options.length === 0) return null;
          const selectId = level.key === 'province' ? id : `${id}-${level.key}`;
          return (
            <div class="field" key={level.key}>
              <label for={selectId}>{level.label}</label>
              <select
                id={selectId}
                name={`${props.path}.${level.key}`}
                value={level.value}
                aria-invalid={invalid}
                onChange={(e) =>
                  props.onValue(e.currentTarget.value === '' ? (level.parent ?? '') : e.currentTarget.value)
                }
              >
                <option value="">
                  {level.key === 'province' ? t('division.choose') : t('division.whole')}
                </option>
                {options.map((d) => (
                  <option key={d.code} value={d.code}>
                    {d.name}
                  </option>
                ))}
              </select>
            </div>
          );
        })}
      {props.value !== '' && (
        <p class="hint" id={`${id}-chosen`} data-code={props.value}>
          {t('division.chosen', { name: chosen.map((d) => d.name).join(' '), code: props.value })}
        </p>
      )}
      <FieldErrors path={props.path} issues={props.issues} />
    </fieldset>
  );
}
