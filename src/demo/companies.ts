/** Demo customers: the seeds' companies first (Acme Corp, Globex, widget-inc…), then generated names. */
import { COUNTRY_CURRENCIES, type Currency } from '../domain/money.ts';
import type { SeededRandom } from './random.ts';

/** Companies the seed documents and support examples mention, created first so they have full histories. */
export const NAMED_COMPANIES = [
  'Acme Corp',
  'Globex',
  'Initech',
  'widget-inc',
  'Umbrella Health',
  'Hooli',
  'Stark Industries',
  'Wayne Enterprises',
  'Soylent Foods',
  'Cyberdyne Systems',
  'Tyrell Labs',
  'Wonka Treats',
  'Vandelay Imports',
  'Pied Piper',
  'Dunder Mifflin',
  'Massive Dynamic',
  'Aperture Science',
  'Oscorp',
  'Gringotts',
  'Monsters Inc',
];

const PREFIXES = [
  'Blue',
  'Bright',
  'Cloud',
  'Data',
  'Delta',
  'Echo',
  'Falcon',
  'Green',
  'Hyper',
  'Iron',
  'Jade',
  'Kite',
  'Lumen',
  'Metro',
  'Nimbus',
  'Nova',
  'Orbit',
  'Pixel',
  'Quant',
  'Rapid',
  'Silver',
  'Stack',
  'Terra',
  'Ultra',
  'Vector',
  'Wave',
  'Zen',
  'Apex',
  'Atlas',
  'Beacon',
];
const SUFFIXES = [
  'Analytics',
  'Labs',
  'Works',
  'Systems',
  'Software',
  'Studio',
  'Health',
  'Logistics',
  'Media',
  'Robotics',
  'Finance',
  'Cloud',
  'AI',
  'Commerce',
  'Security',
  'Learning',
  'Travel',
  'Energy',
  'Foods',
  'Networks',
];
const FORMS: Record<string, string[]> = {
  US: ['Inc', 'LLC', 'Co'],
  GB: ['Ltd', 'PLC'],
  DE: ['GmbH', 'AG'],
  FR: ['SAS', 'SARL'],
  PL: ['sp. z o.o.', 'S.A.'],
  IN: ['Pvt Ltd', 'Technologies'],
  BR: ['Ltda', 'S.A.'],
  JP: ['KK', 'GK'],
};

/** Share of customers per country. */
export const COUNTRY_WEIGHTS = { US: 40, GB: 12, DE: 10, FR: 8, PL: 6, IN: 12, BR: 11, JP: 1 } as const;
/** A demo country. */
export type DemoCountry = keyof typeof COUNTRY_WEIGHTS;

/** The currency a country's customers pay in. */
export const COUNTRY_CURRENCY = Object.fromEntries(
  (Object.keys(COUNTRY_WEIGHTS) as DemoCountry[]).map((country) => [country, COUNTRY_CURRENCIES[country] as Currency]),
) as Record<DemoCountry, Currency>;
/** The card brands common in each country. */
export const COUNTRY_CARDS: Record<
  DemoCountry,
  readonly ('visa' | 'mastercard' | 'amex' | 'rupay' | 'elo' | 'discover')[]
> = {
  US: ['visa', 'visa', 'mastercard', 'amex', 'discover'],
  GB: ['visa', 'mastercard', 'amex'],
  DE: ['visa', 'mastercard'],
  FR: ['visa', 'mastercard'],
  PL: ['visa', 'mastercard'],
  IN: ['rupay', 'visa', 'mastercard'],
  BR: ['elo', 'visa', 'mastercard'],
  JP: ['visa', 'mastercard', 'amex'],
};
const CITIES: Record<DemoCountry, string[]> = {
  US: ['San Francisco', 'New York', 'Austin', 'Seattle', 'Boston'],
  GB: ['London', 'Manchester', 'Edinburgh'],
  DE: ['Berlin', 'Munich', 'Hamburg'],
  FR: ['Paris', 'Lyon', 'Toulouse'],
  PL: ['Warsaw', 'Kraków', 'Wrocław'],
  IN: ['Bengaluru', 'Mumbai', 'Pune', 'Delhi'],
  BR: ['São Paulo', 'Rio de Janeiro', 'Belo Horizonte'],
  JP: ['Tokyo', 'Osaka'],
};

/** A customer's name, country, email and city. */
export interface DemoCompany {
  name: string;
  slug: string;
  email: string;
  country: DemoCountry;
  city: string;
}

/** The `index`-th company of the demo (named ones first, then generated, each name unique). */
export function demoCompany(index: number, random: SeededRandom): DemoCompany {
  const country = index < NAMED_COMPANIES.length ? (index % 5 === 4 ? 'GB' : 'US') : random.weighted(COUNTRY_WEIGHTS);
  const base =
    NAMED_COMPANIES[index] ??
    `${random.pick(PREFIXES)} ${random.pick(SUFFIXES)} ${random.pick(FORMS[country] ?? ['Inc'])}`;
  const name = index < NAMED_COMPANIES.length ? base : `${base}${index >= 2_000 ? ` ${index}` : ''}`;
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return {
    name,
    slug,
    email: `billing@${slug}${index < NAMED_COMPANIES.length ? '' : `-${index}`}.example`,
    country,
    city: random.pick(CITIES[country]),
  };
}
