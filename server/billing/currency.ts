// Which of the admin's currencies a visitor pays in: the region of their first Accept-Language
// tag (de-AT → EUR, en-GB → GBP, ja → JPY), else the default. Only regions whose currency is
// common enough to be priced are listed; a currency the plan has no price in falls back too.
const BY_REGION: Record<string, string> = {
  US: 'usd',
  CA: 'cad',
  MX: 'mxn',
  BR: 'brl',
  AR: 'ars',
  CL: 'clp',
  CO: 'cop',
  GB: 'gbp',
  IE: 'eur',
  DE: 'eur',
  AT: 'eur',
  FR: 'eur',
  BE: 'eur',
  NL: 'eur',
  LU: 'eur',
  IT: 'eur',
  ES: 'eur',
  PT: 'eur',
  FI: 'eur',
  GR: 'eur',
  SK: 'eur',
  SI: 'eur',
  EE: 'eur',
  LV: 'eur',
  LT: 'eur',
  MT: 'eur',
  CY: 'eur',
  HR: 'eur',
  CH: 'chf',
  LI: 'chf',
  SE: 'sek',
  NO: 'nok',
  DK: 'dkk',
  IS: 'isk',
  PL: 'pln',
  CZ: 'czk',
  HU: 'huf',
  RO: 'ron',
  BG: 'bgn',
  TR: 'try',
  UA: 'uah',
  IL: 'ils',
  AE: 'aed',
  SA: 'sar',
  ZA: 'zar',
  NG: 'ngn',
  EG: 'egp',
  KE: 'kes',
  IN: 'inr',
  PK: 'pkr',
  BD: 'bdt',
  JP: 'jpy',
  CN: 'cny',
  HK: 'hkd',
  TW: 'twd',
  KR: 'krw',
  SG: 'sgd',
  MY: 'myr',
  TH: 'thb',
  ID: 'idr',
  PH: 'php',
  VN: 'vnd',
  AU: 'aud',
  NZ: 'nzd',
};
/** A language alone says little; these say enough. */
const BY_LANGUAGE: Record<string, string> = { ja: 'jpy', ko: 'krw', de: 'eur', fr: 'eur', it: 'eur', es: 'eur', nl: 'eur', pl: 'pln', sv: 'sek', da: 'dkk', cs: 'czk', hu: 'huf', tr: 'try' };

/** The currency for an Accept-Language header, when the locale names one. */
export function currencyForLocale(acceptLanguage: string | undefined): string | null {
  const first = (acceptLanguage ?? '').split(',')[0]?.split(';')[0]?.trim();
  if (!first || first === '*') return null;
  const [lang, region] = first.split('-');
  if (region && /^[A-Za-z]{2}$/.test(region)) {
    const c = BY_REGION[region.toUpperCase()];
    if (c) return c;
  }
  return BY_LANGUAGE[(lang ?? '').toLowerCase()] ?? null;
}

/** Picks the price to charge: the locale's currency if the plan has it, else the default, else any. */
export function choosePrice<P extends { currency: string }>(prices: readonly P[], locale: string | null, fallback: string): P | null {
  return prices.find((p) => p.currency === locale) ?? prices.find((p) => p.currency === fallback) ?? prices[0] ?? null;
}
