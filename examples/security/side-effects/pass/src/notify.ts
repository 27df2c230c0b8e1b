import { outbox } from "./outbox.js";

/**
 * Queues the invoice email for a person to approve; nothing leaves until they do.
 * @sideEffect external-send approval-gated
 */
export async function sendInvoiceEmail(workspaceId: string, invoiceId: string, to: string): Promise<void> {
  await outbox.queueForApproval({ to, subject: `Invoice ${invoiceId}`, workspace: workspaceId });
}

/**
 * Writes the reply as a draft in the user's mailbox.
 * @sideEffect send draft-only
 */
export async function draftReply(workspaceId: string, threadId: string, text: string): Promise<void> {
  await outbox.saveDraft({ workspace: workspaceId, threadId, text });
}
