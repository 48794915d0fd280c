import { createRequire as __dtpCreateRequire } from 'node:module';
import { fileURLToPath as __dtpFileURLToPath } from 'node:url';
import { dirname as __dtpDirname } from 'node:path';
const require = __dtpCreateRequire(import.meta.url);
const __filename = __dtpFileURLToPath(import.meta.url);
const __dirname = __dtpDirname(__filename);
import "./chunk-YRHPVDZS.js";

// src/connectors.ts
function realConnectors(_options, _platform) {
  throw new Error("clients not built yet");
}
export {
  realConnectors
};
//# sourceMappingURL=connectors-TFIZVRV6.js.map
