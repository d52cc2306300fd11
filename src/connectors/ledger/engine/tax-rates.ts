/** Default tax rates by customer country, in basis points (VAT/GST on SaaS; the US ledger collects none). */
export const DEFAULT_TAX_RATES_BPS: Record<string, number> = {
  US: 0,
  GB: 2000,
  DE: 1900,
  FR: 2000,
  PL: 2300,
  IN: 1800,
  BR: 0,
  JP: 1000,
};

/** The default tax rate of a country (0 when unknown). */
export function defaultTaxRate(country: string): number {
  return DEFAULT_TAX_RATES_BPS[country.toUpperCase()] ?? 0;
}
