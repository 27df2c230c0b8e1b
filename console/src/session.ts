// The token lives in sessionStorage: it is gone when the tab closes and is never sent anywhere but
// this service's API, in the Authorization header (no cookie, so no cross-site request carries it).

const KEY = "gatehouse.token";

export function token(): string | null {
  return sessionStorage.getItem(KEY);
}

export function signIn(value: string): void {
  sessionStorage.setItem(KEY, value);
}

export function signOut(): void {
  sessionStorage.removeItem(KEY);
}
