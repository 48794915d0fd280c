import { createRequire as __dtpCreateRequire } from 'node:module';
import { fileURLToPath as __dtpFileURLToPath } from 'node:url';
import { dirname as __dtpDirname } from 'node:path';
const require = __dtpCreateRequire(import.meta.url);
const __filename = __dtpFileURLToPath(import.meta.url);
const __dirname = __dtpDirname(__filename);
import{HttpClient,RateLimiter,closeHttpAgents,retryAfterMs,sharedDispatcher}from"./chunk-Z65S2MJB.js";import{CallStats,backoffMs,sleep}from"./chunk-LHTZSUZP.js";import"./chunk-F3XOJIMN.js";import"./chunk-QD6LBWIT.js";import"./chunk-FJUMHGMT.js";export{CallStats,HttpClient,RateLimiter,backoffMs,closeHttpAgents,retryAfterMs,sharedDispatcher,sleep};
//# sourceMappingURL=http-IU4QIERF.js.map
