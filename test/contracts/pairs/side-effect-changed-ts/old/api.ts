/** @sideEffect external-send */
export function notify(to: string): void {
  void to;
}
