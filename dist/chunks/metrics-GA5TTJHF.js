import { createRequire as __dtpCreateRequire } from 'node:module';
import { fileURLToPath as __dtpFileURLToPath } from 'node:url';
import { dirname as __dtpDirname } from 'node:path';
const require = __dtpCreateRequire(import.meta.url);
const __filename = __dtpFileURLToPath(import.meta.url);
const __dirname = __dtpDirname(__filename);
import{renderMetrics}from"./chunk-65ROR62G.js";import"./chunk-FJUMHGMT.js";export{renderMetrics};
//# sourceMappingURL=metrics-GA5TTJHF.js.map
