import { createRequire as __dtpCreateRequire } from 'node:module';
import { fileURLToPath as __dtpFileURLToPath } from 'node:url';
import { dirname as __dtpDirname } from 'node:path';
const require = __dtpCreateRequire(import.meta.url);
const __filename = __dtpFileURLToPath(import.meta.url);
const __dirname = __dtpDirname(__filename);
var UNSAFE=/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;function escapeControl(text){return text.replace(UNSAFE,c=>{if(c===`
`)return"\\n";if(c==="\r")return"\\r";if(c==="	")return"\\t";let code=c.charCodeAt(0);return code<=255?`\\x${code.toString(16).padStart(2,"0")}`:`\\u${code.toString(16).padStart(4,"0")}`})}function flattenControl(text){return escapeControl(text.replace(/\r\n|[\r\n\t\u2028\u2029]+/g," "))}function escapeMarkdown(text){return flattenControl(text).replace(/[&<>|\\`*_~[\]#@]/g,m=>m==="&"?"&amp;":m==="<"?"&lt;":m===">"?"&gt;":m==="@"?"@&#8203;":`\\${m}`)}function inlineCode(text){return`\`${flattenControl(text).replace(/`/g,"'")}\``}function tableCode(text){return inlineCode(text).replace(/\|/g,"\\|")}function shellQuote(text){return/^[A-Za-z0-9_./:@%+=,-]+$/.test(text)?text:`'${text.replace(/'/g,"'\\''")}'`}export{escapeControl,escapeMarkdown,inlineCode,tableCode,shellQuote};
//# sourceMappingURL=chunk-ZC6EQVI3.js.map
