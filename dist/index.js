import { createRequire as __dtpCreateRequire } from 'node:module';
import { fileURLToPath as __dtpFileURLToPath } from 'node:url';
import { dirname as __dtpDirname } from 'node:path';
const require = __dtpCreateRequire(import.meta.url);
const __filename = __dtpFileURLToPath(import.meta.url);
const __dirname = __dtpDirname(__filename);
import{OPTIONS,envSource,installSignalHandlers,layered,resolveOptions,run}from"./chunks/chunk-JUA7B34K.js";import"./chunks/chunk-VBZUVKXM.js";import"./chunks/chunk-5M46U6JP.js";import{githubPlatform}from"./chunks/chunk-P2PHUW3D.js";import"./chunks/chunk-T7QF2X46.js";import{error,getInput,setFailed,setOutput}from"./chunks/chunk-65VRD2NU.js";import"./chunks/chunk-REAPJTIC.js";import"./chunks/chunk-UELX7DVH.js";import"./chunks/chunk-ZC6EQVI3.js";import"./chunks/chunk-5LTA4P6Y.js";import{ExitCode,UserError}from"./chunks/chunk-F3XOJIMN.js";import{redact}from"./chunks/chunk-QD6LBWIT.js";import"./chunks/chunk-FJUMHGMT.js";async function runAction(){installSignalHandlers();let inputs=name=>OPTIONS.some(o=>o.name===name)?getInput(name):void 0,exitCode;try{let options=resolveOptions(layered(inputs,envSource(process.env))),platform=githubPlatform({verbose:options.verbose,shard:options.shard,logFormat:options.logFormat});exitCode=await run(options,platform)}catch(error2){error2 instanceof UserError?(error(error2.hint?`${error2.message}
hint: ${error2.hint}`:error2.message),exitCode=error2.exitCode):(error(redact(String(error2?.stack??error2))),exitCode=ExitCode.cannotStart)}setOutput("exit-code",String(exitCode)),exitCode!==ExitCode.ok&&setFailed(`dtp finished with exit code ${exitCode}`),process.exitCode=exitCode}await runAction();
//# sourceMappingURL=index.js.map
