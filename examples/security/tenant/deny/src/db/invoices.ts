import { db } from "./client.js";

export interface Invoice {
  id: string;
  workspaceId: string;
  total: number;
}

export async function listInvoices(workspaceId: string, limit: number): Promise<Invoice[]> {
  return db.query("select * from invoices where workspace_id = $1 limit $2", [workspaceId, limit]);
}

export async function insertInvoice(workspaceId: string, invoice: Omit<Invoice, "workspaceId">): Promise<void> {
  await db.query("insert into invoices (id, workspace_id, total) values ($1, $2, $3)", [invoice.id, workspaceId, invoice.total]);
}
