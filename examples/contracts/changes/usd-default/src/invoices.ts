// Invoice formatting for the billing service: what customers see on their invoices.

export interface Line {
  description: string;
  cents: number;
}

/**
 * The total of an invoice, in cents.
 * @stable
 * @owner billing
 */
export function totalCents(lines: Line[]): number {
  return lines.reduce((sum, line) => sum + line.cents, 0);
}

/**
 * One amount as printed on an invoice. Invoices are issued in the customer's billing currency;
 * accounts created before multi-currency billing were all in US dollars.
 * @stable
 * @owner billing
 */
export function formatAmount(cents: number, currency = "USD"): string {
  return `${(cents / 100).toFixed(2)} ${currency}`;
}
