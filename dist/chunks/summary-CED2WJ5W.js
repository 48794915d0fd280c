import { createRequire as __dtpCreateRequire } from 'node:module';
import { fileURLToPath as __dtpFileURLToPath } from 'node:url';
import { dirname as __dtpDirname } from 'node:path';
const require = __dtpCreateRequire(import.meta.url);
const __filename = __dtpFileURLToPath(import.meta.url);
const __dirname = __dtpDirname(__filename);
import {
  renderSummary
} from "./chunk-SDU4TOED.js";
import "./chunk-YRHPVDZS.js";
export {
  renderSummary
};
//# sourceMappingURL=summary-CED2WJ5W.js.map
