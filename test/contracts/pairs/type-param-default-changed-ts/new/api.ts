export interface ZodType<Output = unknown> {
  parse(input: unknown): Output;
}
