export declare const format: (value: string) => string;
