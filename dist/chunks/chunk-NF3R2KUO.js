import { createRequire as __dtpCreateRequire } from 'node:module';
import { fileURLToPath as __dtpFileURLToPath } from 'node:url';
import { dirname as __dtpDirname } from 'node:path';
const require = __dtpCreateRequire(import.meta.url);
const __filename = __dtpFileURLToPath(import.meta.url);
const __dirname = __dtpDirname(__filename);
import{escapeControl}from"./chunk-ZC6EQVI3.js";var ANNOTATION_LIMIT=10;function isGitHubActions(env=process.env){return env.GITHUB_ACTIONS==="true"}function actionInput(name,env=process.env){return(env[`INPUT_${name.replace(/ /g,"_").toUpperCase()}`]||"").trim()}function escapeDiagnostic(d){return{...d,file:escapeControl(d.file),message:escapeControl(d.message),...d.hint!==void 0?{hint:escapeControl(d.hint)}:{}}}export{ANNOTATION_LIMIT,isGitHubActions,actionInput,escapeDiagnostic};
//# sourceMappingURL=chunk-NF3R2KUO.js.map
