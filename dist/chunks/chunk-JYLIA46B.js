import { createRequire as __dtpCreateRequire } from 'node:module';
import { fileURLToPath as __dtpFileURLToPath } from 'node:url';
import { dirname as __dtpDirname } from 'node:path';
const require = __dtpCreateRequire(import.meta.url);
const __filename = __dtpFileURLToPath(import.meta.url);
const __dirname = __dtpDirname(__filename);
async function mapConcurrent(items,limit,fn){let results=new Array(items.length),next=0,worker=async()=>{for(;next<items.length;){let index=next++;results[index]=await fn(items[index],index)}};return await Promise.all(Array.from({length:Math.max(1,Math.min(limit,items.length))},worker)),results}function singleFlight(load){let cache=new Map;return key=>{let pending=cache.get(key);return pending||(pending=load(key),cache.set(key,pending)),pending}}function groupLimiter(limit){let active=0,queues=new Map,turn=0,take=()=>{let groups=[...queues.values()];for(let i=0;i<groups.length;i++){let q=groups[(turn+i)%groups.length];if(q.head<q.items.length){turn=(turn+i+1)%groups.length;let start=q.items[q.head];return q.items[q.head++]=void 0,start}}},next=()=>{for(;active<Math.max(1,limit);){let start=take();if(!start)return;active++,start()}};return(group,task)=>new Promise((resolve,reject)=>{let q=queues.get(group);q||queues.set(group,q={items:[],head:0}),q.items.push(()=>task().then(resolve,reject).finally(()=>{active--,next()})),next()})}export{mapConcurrent,singleFlight,groupLimiter};
//# sourceMappingURL=chunk-JYLIA46B.js.map
