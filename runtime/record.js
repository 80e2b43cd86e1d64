"use strict";
/**
 * What capture produces. An event is written straight into a packed batch (`wire.ts`): no object per
 * event on the app thread. Only events that open a span keep a small `Span` so later events can name
 * them as parent.
 */
Object.defineProperty(exports, "__esModule", { value: true });
//# sourceMappingURL=record.js.map