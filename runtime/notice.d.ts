/** This process's flag (0 until the line is written), shared by every copy of the runtime; handed to the shipping thread. */
export declare function noticeFlag(): Int32Array;
/** Writes `line` to stderr unless a notice was already written in this process. Never throws. */
export declare function noticeOnce(flag: Int32Array, line: string): void;
/** A delivery failed with a network error (nothing listening, DNS, refused, timeout). */
export declare function unreachableNotice(endpoint: string): string;
/** The process is ending and events could not be delivered in time. */
export declare function droppedAtExitNotice(endpoint: string): string;
//# sourceMappingURL=notice.d.ts.map