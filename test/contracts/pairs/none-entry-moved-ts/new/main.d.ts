export declare function keep(x: string): string;
export declare const VERSION: string;
