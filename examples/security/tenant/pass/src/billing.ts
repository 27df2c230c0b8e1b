import { listInvoices } from "./db/invoices.js";

/** The workspace's total over its latest invoices. */
export async function workspaceTotal(workspaceId: string): Promise<number> {
  const invoices = await listInvoices(workspaceId, 10_000);
  return invoices.reduce((sum, invoice) => sum + invoice.total, 0);
}

/** The same, for a request whose context carries the caller's workspace. */
export async function totalForRequest(ctx: { workspaceId: string; userId: string }): Promise<number> {
  const { workspaceId } = ctx;
  return workspaceTotal(workspaceId);
}
