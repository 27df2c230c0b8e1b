// A package whose API is declared in `declare module` blocks of a script (as date-fns 2 does).

type Span = {
  start: number
  end: number
}
type SpanAliased = Span

declare module 'clock' {
  export type Span = SpanAliased
}

// A second block of the same name: merged with the first.
declare module 'clock' {
  function add(time: number, amount: number): number
  namespace add {}

  const secondsInDay: number
}

// A subpath block importing the package's own block.
declare module 'clock/add' {
  import { add } from 'clock'
  export default add
}

// `export {}`: only what carries the keyword is exported.
declare module 'clock/parts' {
  export function hours(time: number): number
  function helper(): void
  export {}
}

// `export =`: the module is `tick`; the other declarations are not exported.
declare module 'clock/tick' {
  function tick(interval: number): void
  const hidden: number
  export = tick
}

// Another package's module: an augmentation, not this API.
declare module 'other' {
  export function augment(): void
}

declare module 'clockwork' {
  export function wind(): void
}
