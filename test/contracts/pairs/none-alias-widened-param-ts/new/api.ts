export type Strictness = boolean | "class_only";

export function render(strict: Strictness): string {
  return String(strict);
}
