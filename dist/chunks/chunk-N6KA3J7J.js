import { createRequire as __dtpCreateRequire } from 'node:module';
import { fileURLToPath as __dtpFileURLToPath } from 'node:url';
import { dirname as __dtpDirname } from 'node:path';
const require = __dtpCreateRequire(import.meta.url);
const __filename = __dtpFileURLToPath(import.meta.url);
const __dirname = __dtpDirname(__filename);
var MAX_AGE_BOUNDS={minMs:36e5,maxMs:365*864e5},ROTATE_AFTER_BOUNDS={minMs:10*6e4,maxMs:365*864e5},ROTATION_GRACE_BOUNDS={minMs:10*6e4,maxMs:30*864e5},DEFAULT_ROTATION_GRACE_MS=24*36e5,DEFAULT_RUN_INTERVAL_MS=2*36e5;function defaultRotateAfter(maxAgeMs){return Math.floor(maxAgeMs*2/3/6e4)*6e4}export{MAX_AGE_BOUNDS,ROTATE_AFTER_BOUNDS,ROTATION_GRACE_BOUNDS,DEFAULT_ROTATION_GRACE_MS,DEFAULT_RUN_INTERVAL_MS,defaultRotateAfter};
//# sourceMappingURL=chunk-N6KA3J7J.js.map
