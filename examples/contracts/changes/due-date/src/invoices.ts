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

/**
 * The due date printed on an invoice: net 30 days from the issue date (UTC, YYYY-MM-DD).
 * @stable
 * @owner billing
 */
export function dueDate(issued: Date, days = 30): string {
  return new Date(issued.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}
