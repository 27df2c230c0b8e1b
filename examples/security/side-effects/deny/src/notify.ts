import { smtp } from "./smtp.js";

/**
 * Emails the invoice to the customer as soon as it is issued.
 * @sideEffect external-send
 */
export async function sendInvoiceEmail(workspaceId: string, invoiceId: string, to: string): Promise<void> {
  await smtp.send({ to, subject: `Invoice ${invoiceId}`, workspace: workspaceId });
}
