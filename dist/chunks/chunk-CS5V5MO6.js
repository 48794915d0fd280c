import { createRequire as __dtpCreateRequire } from 'node:module';
import { fileURLToPath as __dtpFileURLToPath } from 'node:url';
import { dirname as __dtpDirname } from 'node:path';
const require = __dtpCreateRequire(import.meta.url);
const __filename = __dtpFileURLToPath(import.meta.url);
const __dirname = __dtpDirname(__filename);
import{setFlagsFromString}from"node:v8";var LEAN_MS=2e4;function leanRuntime(){setFlagsFromString("--semi-space-growth-factor=1"),setFlagsFromString("--liftoff-only --no-wasm-tier-up --no-wasm-dynamic-tiering"),setFlagsFromString("--no-opt --no-maglev --optimize-for-size"),setTimeout(()=>setFlagsFromString("--opt --maglev --no-optimize-for-size"),LEAN_MS).unref()}export{leanRuntime};
//# sourceMappingURL=chunk-CS5V5MO6.js.map
