import type { ResolvedConfig } from './config';
import { type Sink } from './record';
/** The client the handlers record into (the process-wide one, looked up at each call). */
export interface OutgoingHost extends Sink {
    readonly enabled: boolean;
    readonly config: ResolvedConfig;
}
/**
 * Subscribes the handlers (once per process, whatever the number of runtime copies): `host` gives
 * the client to record into. Later calls only replace `host`.
 */
export declare function installOutgoing(host: () => OutgoingHost | undefined): void;
//# sourceMappingURL=outgoing.d.ts.map