import { createRequire as __dtpCreateRequire } from 'node:module';
import { fileURLToPath as __dtpFileURLToPath } from 'node:url';
import { dirname as __dtpDirname } from 'node:path';
const require = __dtpCreateRequire(import.meta.url);
const __filename = __dtpFileURLToPath(import.meta.url);
const __dirname = __dtpDirname(__filename);
import{githubPlatform,workspacePath}from"./chunk-QSAJ4PD6.js";import"./chunk-WNPNS5EJ.js";import"./chunk-65VRD2NU.js";import"./chunk-REAPJTIC.js";import"./chunk-2NTNTNQN.js";import"./chunk-QD6LBWIT.js";import"./chunk-ZC6EQVI3.js";import"./chunk-FJUMHGMT.js";export{githubPlatform,workspacePath};
//# sourceMappingURL=github-VP4W3QOX.js.map
