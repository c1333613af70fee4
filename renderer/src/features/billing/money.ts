// Money as people read it: the currency a visitor pays in (the server decides; this mirrors its
// choice from the browser's first language, roughly, to show the price it will charge) and
// amounts in a currency's minor unit (cents; yen are whole) formatted with Intl.

/** A region's currency, for the regions the server prices in (server/billing/currency.ts). */
const BY_REGION: Record<string, string> = {
  US: 'usd',
  CA: 'cad',
  MX: 'mxn',
  BR: 'brl',
  AR: 'ars',
  CL: 'clp',
  CO: 'cop',
  GB: 'gbp',
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
for (const r of ['IE', 'DE', 'AT', 'FR', 'BE', 'NL', 'LU', 'IT', 'ES', 'PT', 'FI', 'GR', 'SK', 'SI', 'EE', 'LV', 'LT', 'MT', 'CY', 'HR']) BY_REGION[r] = 'eur';

/** A language alone says little; these say enough. */
const BY_LANGUAGE: Record<string, string> = { ja: 'jpy', ko: 'krw', de: 'eur', fr: 'eur', it: 'eur', es: 'eur', nl: 'eur', pl: 'pln', sv: 'sek', da: 'dkk', cs: 'czk', hu: 'huf', tr: 'try' };

/** The currency a locale tag (`de-AT`, `en-GB`, `ja`) names, or null. */
export function currencyForLocale(tag: string | undefined): string | null {
  if (!tag) return null;
  const [lang = '', region] = tag.split('-');
  if (region && /^[A-Za-z]{2}$/.test(region)) {
    const c = BY_REGION[region.toUpperCase()];
    if (c) return c;
  }
  return BY_LANGUAGE[lang.toLowerCase()] ?? null;
}

/** The browser's first language, as Accept-Language sends it first. */
export function browserLocale(): string | undefined {
  return typeof navigator === 'undefined' ? undefined : (navigator.languages?.[0] ?? navigator.language);
}

/** The price a checkout will charge: the locale's currency if the plan has it, else the default, else any. */
export function choosePrice(prices: Record<string, number>, fallback: string, locale = browserLocale()): { currency: string; amount: number } | null {
  const mine = currencyForLocale(locale);
  for (const c of [mine, fallback]) {
    if (c && prices[c] !== undefined) return { currency: c, amount: prices[c] };
  }
  const first = Object.entries(prices)[0];
  return first ? { currency: first[0], amount: first[1] } : null;
}

/** Digits after the decimal point in a currency's minor unit (2 for usd, 0 for jpy). */
export function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency: currency.toUpperCase() }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** Minor units (what the API speaks) to major (what people type): 450 eur → 4.5. */
export const toMajor = (minor: number, currency: string) => minor / 10 ** minorDigits(currency);

/** Major units to minor, rounded: 4.5 eur → 450. */
export const toMinor = (major: number, currency: string) => Math.round(major * 10 ** minorDigits(currency));

/** An amount in minor units as the viewer's locale writes it: `$5.00`, `4,50 €`, `¥500`. */
export function formatMoney(minor: number, currency: string): string {
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency: currency.toUpperCase() }).format(toMajor(minor, currency));
  } catch {
    return `${toMajor(minor, currency)} ${currency.toUpperCase()}`;
  }
}

/** `1,000 credits`, `1 credit`. */
export function credits(n: number): string {
  return `${n.toLocaleString()} ${Math.abs(n) === 1 ? 'credit' : 'credits'}`;
}
