export declare function text(v: unknown): string;
/** A header map as strings: own data properties only, credentials redacted, arrays joined. */
export declare function headerMap(h: unknown): Record<string, string>;
//# sourceMappingURL=text.d.ts.map