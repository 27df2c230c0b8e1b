export function loadUser(id: string): string {
  return id;
}
