import { createRequire as __dtpCreateRequire } from 'node:module';
import { fileURLToPath as __dtpFileURLToPath } from 'node:url';
import { dirname as __dtpDirname } from 'node:path';
const require = __dtpCreateRequire(import.meta.url);
const __filename = __dtpFileURLToPath(import.meta.url);
const __dirname = __dtpDirname(__filename);
import{SUMMARY_LIMIT_BYTES,artifactName,githubPlatform,workspacePath}from"./chunk-P2PHUW3D.js";import"./chunk-T7QF2X46.js";import"./chunk-65VRD2NU.js";import"./chunk-REAPJTIC.js";import"./chunk-ZC6EQVI3.js";import"./chunk-QD6LBWIT.js";import"./chunk-FJUMHGMT.js";export{SUMMARY_LIMIT_BYTES,artifactName,githubPlatform,workspacePath};
//# sourceMappingURL=github-MAT23FJ2.js.map
