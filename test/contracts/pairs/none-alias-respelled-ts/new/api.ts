export type Id = string;

export function find(id: string): string | null {
  return id;
}
