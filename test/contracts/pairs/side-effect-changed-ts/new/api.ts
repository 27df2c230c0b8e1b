/** @sideEffect external-send draft-only */
export function notify(to: string): void {
  void to;
}
