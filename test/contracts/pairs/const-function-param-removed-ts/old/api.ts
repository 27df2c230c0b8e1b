export declare const format: (value: string, locale?: string) => string;
