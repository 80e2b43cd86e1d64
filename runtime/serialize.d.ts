import type { JsonValue } from '../protocol/events';
export interface SnapshotLimits {
    /** Nesting depth below the top value that is expanded. */
    maxDepth: number;
    /** Properties per object / items per array, Map or Set. */
    maxItems: number;
    /** Characters per string. */
    maxString: number;
    /** Values expanded in one snapshot, all levels together. */
    maxNodes: number;
}
export declare const DEFAULT_LIMITS: SnapshotLimits;
/**
 * Snapshot any value into bounded JSON (`undefined` becomes `null`), with the whole-value hash when
 * the snapshot left something out (see above).
 */
export declare function snapshot(value: unknown, limits?: SnapshotLimits): JsonValue;
/**
 * The snapshot without the whole-value hash, for JSON whose shape is fixed by the event schema (an
 * event kind passed as-is, where an extra key would make the event invalid).
 */
export declare function snapshotPlain(value: unknown, limits?: SnapshotLimits): JsonValue;
//# sourceMappingURL=serialize.d.ts.map