import { createRequire as __dtpCreateRequire } from 'node:module';
import { fileURLToPath as __dtpFileURLToPath } from 'node:url';
import { dirname as __dtpDirname } from 'node:path';
const require = __dtpCreateRequire(import.meta.url);
const __filename = __dtpFileURLToPath(import.meta.url);
const __dirname = __dtpDirname(__filename);
import{SUMMARY_LIMIT_BYTES,artifactName,githubPlatform}from"./chunk-WSSUQ4VE.js";import"./chunk-MOZXJ6CJ.js";import"./chunk-65VRD2NU.js";import"./chunk-REAPJTIC.js";import"./chunk-QD6LBWIT.js";import"./chunk-FJUMHGMT.js";export{SUMMARY_LIMIT_BYTES,artifactName,githubPlatform};
//# sourceMappingURL=github-YLFP2FXL.js.map
