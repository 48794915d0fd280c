import { createRequire as __dtpCreateRequire } from 'node:module';
import { fileURLToPath as __dtpFileURLToPath } from 'node:url';
import { dirname as __dtpDirname } from 'node:path';
const require = __dtpCreateRequire(import.meta.url);
const __filename = __dtpFileURLToPath(import.meta.url);
const __dirname = __dtpDirname(__filename);
import{renderSummary}from"./chunk-WIXHIH5E.js";import"./chunk-FJUMHGMT.js";export{renderSummary};
//# sourceMappingURL=summary-M7PJ3QU4.js.map
