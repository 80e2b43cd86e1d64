import type { Sampler } from './sampler';
import { type Sink } from './record';
/** Where the request's task is kept on Koa's `ctx` and Express's `req`. */
export declare const REQUEST_TASK: unique symbol;
/** The parts of a Koa context the middleware reads. */
export interface KoaLikeContext {
    method: string;
    url: string;
    status: number;
    headers?: Record<string, string | string[] | undefined>;
    get?(field: string): string;
    [key: symbol]: unknown;
}
export type KoaMiddleware = (ctx: KoaLikeContext, next: () => Promise<unknown>) => Promise<void>;
/** The parts of Node's request/response the Express middleware reads. */
export interface ExpressLikeRequest {
    method?: string;
    originalUrl?: string;
    url?: string;
    headers: Record<string, string | string[] | undefined>;
    [key: symbol]: unknown;
}
export interface ExpressLikeResponse {
    statusCode: number;
    writableFinished?: boolean;
    once(event: 'finish' | 'close', listener: () => void): unknown;
}
export type ExpressMiddleware = (req: ExpressLikeRequest, res: ExpressLikeResponse, next: (err?: unknown) => void) => void;
export type ExpressErrorMiddleware = (err: unknown, req: ExpressLikeRequest, res: ExpressLikeResponse, next: (err?: unknown) => void) => void;
/** The trace id (UUID form) of a valid W3C traceparent header, else null. */
export declare function traceFromHeader(header: unknown): string | null;
/** What the middleware needs of the client (`RacewayClient`): where events go, whether capture is on, sampling. */
export interface RequestClient extends Sink {
    readonly enabled: boolean;
    readonly sampler: Sampler;
    readonly capturedCount: number;
    /** Names this service in the `raceway-clock` answers to other services. */
    readonly config: {
        readonly serviceName: string;
        readonly instanceId: string | null;
    };
}
export declare function koaMiddleware(client: RequestClient): KoaMiddleware;
export declare function expressMiddleware(client: RequestClient): ExpressMiddleware;
export declare function expressErrorHandler(client: RequestClient): ExpressErrorMiddleware;
//# sourceMappingURL=middleware.d.ts.map