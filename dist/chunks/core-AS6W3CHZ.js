import { createRequire as __dtpCreateRequire } from 'node:module';
import { fileURLToPath as __dtpFileURLToPath } from 'node:url';
import { dirname as __dtpDirname } from 'node:path';
const require = __dtpCreateRequire(import.meta.url);
const __filename = __dtpFileURLToPath(import.meta.url);
const __dirname = __dtpDirname(__filename);
import{ExitCode,addPath,debug,endGroup,error,exportVariable,getBooleanInput,getIDToken,getInput,getMultilineInput,getState,group,info,isDebug,markdownSummary,notice,platform_exports,saveState,setCommandEcho,setFailed,setOutput,setSecret,startGroup,summary,toPlatformPath,toPosixPath,toWin32Path,warning}from"./chunk-IICIY3ID.js";import"./chunk-REAPJTIC.js";import"./chunk-FJUMHGMT.js";export{ExitCode,addPath,debug,endGroup,error,exportVariable,getBooleanInput,getIDToken,getInput,getMultilineInput,getState,group,info,isDebug,markdownSummary,notice,platform_exports as platform,saveState,setCommandEcho,setFailed,setOutput,setSecret,startGroup,summary,toPlatformPath,toPosixPath,toWin32Path,warning};
//# sourceMappingURL=core-AS6W3CHZ.js.map
