import { insertInvoice, listInvoices } from "./db/invoices.js";

const REPORTING_WORKSPACE = "ws-finance";

/** Copies a workspace's invoices into another one (the migration tool asked for it). */
export async function copyInvoices(workspaceId: string, targetWorkspaceId: string): Promise<number> {
  const invoices = await listInvoices(workspaceId, 500);
  for (const invoice of invoices) await insertInvoice(targetWorkspaceId, { id: invoice.id, total: invoice.total });
  return invoices.length;
}

/** The nightly total, read from the finance workspace whoever runs it. */
export async function nightlyTotal(workspaceId: string): Promise<number> {
  const invoices = await listInvoices(REPORTING_WORKSPACE, 10_000);
  return invoices.reduce((sum, invoice) => sum + invoice.total, 0);
}
