export function fetchUser(id: string): string {
  return id;
}
