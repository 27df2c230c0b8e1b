export enum Level {
  Low = 1,
  Medium,
  High,
}
