export interface HashLimits {
    /** Values visited (every element, property value, Map key and value counts one). */
    maxNodes: number;
    /** Characters of strings (keys included) and bytes of buffers, all together. */
    maxChars: number;
    /** Nesting depth (keeps the walk's recursion far from the stack limit). */
    maxDepth: number;
}
export declare const HASH_LIMITS: HashLimits;
/** The hash of a value too large (or too odd) to hash within the limits. */
export declare const UNHASHABLE = "?";
/**
 * The structural hash of `value`: 16 lowercase hex digits, or `UNHASHABLE` when the value is too
 * large to hash within `limits` (or cannot be walked at all).
 */
export declare function valueHash(value: unknown, limits?: HashLimits): string;
//# sourceMappingURL=value-hash.d.ts.map