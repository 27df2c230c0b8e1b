export type Id = string;

export function find(id: Id): Id | null {
  return id;
}
