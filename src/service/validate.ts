// Request bodies are validated like every other gatehouse input: by SchemaRegistry, against
// schemas/api/ for the envelopes and schemas/ for the documents they carry (a pack, an
// override, a gate report). A failure is a 400 listing each problem with its JSON pointer.

import { packagePath } from "../core/paths.js";
import { SchemaRegistry } from "../schemas/registry.js";
import { ServiceError } from "./errors.js";

export class ApiSchemas {
  /** the request and response envelopes (schemas/api/) */
  readonly api = new SchemaRegistry(packagePath("schemas", "api"));
  /** gatehouse's documents (schemas/) */
  readonly documents = new SchemaRegistry();

  /** Throws a 400 naming every problem; `at` prefixes the pointers (the document's place in the body). */
  check(registry: "api" | "documents", name: string, value: unknown, what: string, at = ""): void {
    const problems = this[registry].validate(name, value, what);
    if (problems.length === 0) return;
    const messages = problems.map((p) => `${at}${p.message}`);
    throw new ServiceError("invalid_parameter", `${what} is invalid: ${messages.join("; ")}`, messages);
  }
}
