import { createRequire as __dtpCreateRequire } from 'node:module';
import { fileURLToPath as __dtpFileURLToPath } from 'node:url';
import { dirname as __dtpDirname } from 'node:path';
const require = __dtpCreateRequire(import.meta.url);
const __filename = __dtpFileURLToPath(import.meta.url);
const __dirname = __dtpDirname(__filename);
function isGitHubActions(env=process.env){return env.GITHUB_ACTIONS==="true"}export{isGitHubActions};
//# sourceMappingURL=chunk-MOZXJ6CJ.js.map
