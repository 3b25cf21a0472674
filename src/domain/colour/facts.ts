import type { EpochMs } from '../types.ts';

/**
 * The facts that decide a resident's colour (S10). Every fact has a period: `from` is when it
 * started (diagnosis, visit, arrival, isolation start, stay start) and `to`, when known, is when it
 * ended (discharge, isolation end, stay end). Rules in the policy decide how long after `from` or
 * `to` a fact keeps a colour.
 */
export type FactKind =
  /** 确诊病例: red while not discharged (`to` = discharge time, when known). */
  | 'confirmed'
  /** 疑似病例: red while open. */
  | 'suspected'
  /** 无症状感染者: red while under centralised isolation. */
  | 'asymptomatic'
  /** 密切接触者: red while under centralised or home isolation. */
  | 'closeContact'
  /** 无症状感染者的密切接触者: yellow for 14 days from isolation start. */
  | 'asymptomaticContact'
  /** 发热门诊就诊: yellow for 14 days from the visit. */
  | 'feverClinic'
  /** Fever (37.3 °C or more), dry cough, shortness of breath or other respiratory symptoms: yellow. */
  | 'symptoms'
  /** 省疫情数据库异常: yellow for 14 days. */
  | 'provincialAbnormal'
  /** 治愈出院: yellow for 14 days of home observation from `from` (the discharge). */
  | 'discharged'
  /** 境外入鲁人员: yellow until quarantine ends (`to`), or 14 days from arrival when `to` is unknown. */
  | 'overseasArrival'
  /** A stay in a division; red or yellow when a risk area was in force there during the stay. */
  | 'stay'
  /** 纳入高/中风险管理: red or yellow while in force. */
  | 'riskManagement';

export const FACT_KINDS: readonly FactKind[] = [
  'confirmed',
  'suspected',
  'asymptomatic',
  'closeContact',
  'asymptomaticContact',
  'feverClinic',
  'symptoms',
  'provincialAbnormal',
  'discharged',
  'overseasArrival',
  'stay',
  'riskManagement',
];

export type IsolationType = 'centralised' | 'home';
export type RiskLevel = 'high' | 'medium';
export type RespiratorySymptom = 'fever' | 'dryCough' | 'shortnessOfBreath' | 'otherRespiratory';
/** Where a fact came from; `hospital`: a fever-clinic visit a hospital recorded (issue 11, S17). */
export const FACT_SOURCES = ['application', 'officer', 'import', 'declaration', 'hospital'] as const;
export type FactSource = (typeof FACT_SOURCES)[number];

export interface Fact {
  readonly id: string;
  readonly kind: FactKind;
  readonly from: EpochMs;
  readonly to: EpochMs | null;
  /** isolation type for asymptomatic, closeContact, asymptomaticContact, overseasArrival. */
  readonly isolation?: IsolationType | null;
  /** GB/T 2260 division code (6 digits) for `stay`. */
  readonly divisionCode?: string | null;
  /** Named sub-area of the division (street, compound) for `stay`, when known. */
  readonly subArea?: string | null;
  /** Level for `riskManagement`. */
  readonly level?: RiskLevel | null;
  /** Body temperature in tenths of a degree Celsius (373 = 37.3 °C) for `symptoms`. */
  readonly temperatureDeciC?: number | null;
  readonly symptoms?: readonly RespiratorySymptom[] | null;
  /** Countries (ISO 3166-1 alpha-2) for `overseasArrival`. */
  readonly countries?: readonly string[] | null;
  /** Free-text reason (for `riskManagement` and officer-added facts). */
  readonly note?: string | null;
  readonly source: FactSource;
}

/** A division (or a named sub-area of it) declared high or medium risk for a period. */
export interface RiskArea {
  readonly id: string;
  /** GB/T 2260 code: a province (xx0000), a city (xxxx00) or a county. Matches every division under it. */
  readonly divisionCode: string;
  /** When set, only stays recorded with this sub-area match. */
  readonly subArea: string | null;
  readonly level: RiskLevel;
  readonly from: EpochMs;
  /** When the area was lifted; null while in force. */
  readonly to: EpochMs | null;
}
