import { createRequire as __dtpCreateRequire } from 'node:module';
import { fileURLToPath as __dtpFileURLToPath } from 'node:url';
import { dirname as __dtpDirname } from 'node:path';
const require = __dtpCreateRequire(import.meta.url);
const __filename = __dtpFileURLToPath(import.meta.url);
const __dirname = __dtpDirname(__filename);
import "./chunk-YRHPVDZS.js";

// src/sandbox/cli.ts
async function sandboxMain(_args) {
  console.error("the sandbox is not built yet");
  return 3;
}
export {
  sandboxMain
};
//# sourceMappingURL=cli-DPXTIRZW.js.map
