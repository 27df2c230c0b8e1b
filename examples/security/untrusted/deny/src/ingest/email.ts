import { complete } from "../llm.js";

/** @prompt */
function askModel(prompt: string): Promise<string> {
  return complete({ model: "triage-small", prompt });
}

function triagePrompt(subject: string, text: string): string {
  return `Classify this support email.\nSubject: ${subject}\n\n${text}`;
}

/**
 * Called by the mail webhook for every inbound message.
 * @untrusted body subject
 */
export async function handleInbound(workspaceId: string, subject: string, body: string): Promise<string> {
  const text = body.trim();
  const prompt = triagePrompt(subject, text);
  return askModel(prompt);
}
