// ES module face of fake-runtime.cjs (same instance).
import cjs from './fake-runtime.cjs';
export const { log, mod, enter, en, call, exit, thrown, suspend, resume, forAwait, yieldOut, yieldIn, at, rp, rb, read, rv, wp, wpSloppy, wv, tp, tpSloppy, dp, dpSloppy, fi, write, blk, cn, cc } = cjs;
export default cjs;
