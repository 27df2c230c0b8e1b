export interface ZodType<Output = any> {
  parse(input: unknown): Output;
}
