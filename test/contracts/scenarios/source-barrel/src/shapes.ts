export interface Shape {
  area(): number;
}
export function internalOnly(): void {}
