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
 * One amount as printed on an invoice.
 * @stable
 * @owner billing
 */
export function formatAmount(cents: number, currency = "EUR"): string {
  return `${(cents / 100).toFixed(2)} ${currency}`;
}
