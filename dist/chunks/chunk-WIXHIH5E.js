import { createRequire as __dtpCreateRequire } from 'node:module';
import { fileURLToPath as __dtpFileURLToPath } from 'node:url';
import { dirname as __dtpDirname } from 'node:path';
const require = __dtpCreateRequire(import.meta.url);
const __filename = __dtpFileURLToPath(import.meta.url);
const __dirname = __dtpDirname(__filename);
function escapeMarkdown(text){return text.replace(/[&<>|\\`*_[\]#]|\r?\n/g,m=>m==="&"?"&amp;":m==="<"?"&lt;":m===">"?"&gt;":m===`
`||m===`\r
`?" ":`\\${m}`)}function code(text){return`\`${text.replace(/`/g,"'").replace(/\r?\n/g," ")}\``}function table(header,rows){if(rows.length===0)return"";let line=cells=>`| ${cells.join(" | ")} |`;return[line(header),line(header.map(()=>"---")),...rows.map(line)].join(`
`)}function capped(items,limit){return items.length<=limit?{shown:items,more:""}:{shown:items.slice(0,limit),more:`

\u2026and ${items.length-limit} more in report.json.`}}function formatDuration(ms){if(ms<1e3)return`${ms} ms`;let s=ms/1e3;return s<60?`${s.toFixed(1)} s`:`${Math.floor(s/60)} min ${Math.round(s%60)} s`}var LIST_LIMIT=50;function verdict(report){if(report.startupError)return"\u274C could not start";let t=report.totals;return t.failed>0?`\u26A0\uFE0F ${t.failed} of ${t.clusters} clusters failed`:report.mode==="plan"?t.planned>0?`\u{1F4DD} ${t.planned} clusters would change`:"\u2705 nothing to change":t.changed>0?`\u2705 ${t.changed} clusters reconciled`:"\u2705 nothing to change"}function actionLine(report){let t=report.totals,verb=report.mode==="plan"?"to ":"",parts=[[t.tokensCreated,`${verb}create`],[t.tokensReminted,`${verb}re-mint`],[t.tokensUpdated,`${verb}update`],[t.tokensRevoked,`${verb}revoke`]].filter(([n])=>n>0).map(([n,what])=>`${n} ${what}`),deliveries=[[t.deliveriesCreated,`${verb}create`],[t.deliveriesPatched,`${verb}patch`]].filter(([n])=>n>0).map(([n,what])=>`${n} ${what}`);return[`**Tokens**: ${parts.length?parts.join(" \xB7 "):"no change"}`,`**Deliveries** (SyncSets/Manifests): ${deliveries.length?deliveries.join(" \xB7 "):"no change"}`,...t.tokensCompensated?[`**Compensated**: ${t.tokensCompensated} minted tokens revoked again after a failed delivery`]:[],...t.serviceLogs?[`**Service logs posted**: ${t.serviceLogs}`]:[]].join(`  
`)}function renderSummary(report){let out=[],t=report.totals;if(out.push(`## dtp ${report.mode} \u2014 ${verdict(report)}`),out.push([`${report.startedAt.replace("T"," ").replace(/\.\d+Z$/," UTC")}`,formatDuration(report.durationMs),...report.shard!=="1/1"?[`shard ${report.shard}`]:[],`config ${code(report.config.dir)} (${report.config.files} files)`,`exit code ${report.exitCode}`].join(" \xB7 ")),report.startupError)return out.push(`### Could not start

${escapeMarkdown(report.startupError)}`),`${out.join(`

`)}
`;out.push(table(["clusters","unchanged",report.mode==="plan"?"would change":"changed","failed","denied","not ready"],[[t.clusters,t.unchanged,report.mode==="plan"?t.planned:t.changed,t.failed,t.denied,t.skipped].map(String)])),out.push(actionLine(report));let failed=report.clusters.filter(c=>c.status==="failed");if(failed.length>0){let{shown,more}=capped(failed,LIST_LIMIT);out.push(`### Failed clusters (${failed.length})

`+table(["OCM environment","cluster","error"],shown.map(c=>[escapeMarkdown(c.ocmEnvironment),`${escapeMarkdown(c.name)} ${code(c.id)}`,escapeMarkdown(c.errors.join("; "))]))+more)}let denials=report.clusters.flatMap(c=>c.denials.map(d=>({cluster:c,denial:d})));if(denials.length>0){let byCode=new Map;for(let d of denials)byCode.set(d.denial.code,[...byCode.get(d.denial.code)??[],d]);let rows=[...byCode.entries()].sort((a,b)=>b[1].length-a[1].length).map(([c,list])=>[code(c),String(list.length),escapeMarkdown(list[0].denial.reason)]),{shown,more}=capped(denials,LIST_LIMIT);out.push(`### Denied bindings (${denials.length})

These get no tokens. Fix the cluster's labels or the allow-list in ${code(report.config.dir)}.

`+table(["reason","bindings","example"],rows)+`

<details><summary>Every denied binding</summary>

`+table(["OCM environment","cluster","organization","label","why"],shown.map(({cluster,denial})=>[escapeMarkdown(cluster.ocmEnvironment),`${escapeMarkdown(cluster.name)} ${code(cluster.id)}`,code(cluster.organizationId),code(denial.label),escapeMarkdown(denial.reason)]))+more+`

</details>`)}report.breakdown.length>0&&out.push(`### By OCM environment and tenant

`+table(["OCM environment","tenant","clusters","created","re-minted","updated","unchanged","revoked","deliveries created","patched"],report.breakdown.map(b=>[escapeMarkdown(b.ocmEnvironment),code(b.tenantId),...[b.clusters,b.tokensCreated,b.tokensReminted,b.tokensUpdated,b.tokensUnchanged,b.tokensRevoked,b.deliveriesCreated,b.deliveriesPatched].map(String)])));let problems=[...report.environments.filter(e=>e.error).map(e=>`OCM environment ${code(e.name)}: ${escapeMarkdown(e.error)}`),...report.tenants.filter(x=>x.error).map(x=>`tenant ${code(x.tenantId)} (${escapeMarkdown(x.name)}): ${escapeMarkdown(x.error)}`),...report.orphans.held.map(h=>`tenant ${code(h.tenantId)}: ${h.count} of ${h.total} dtp_ tokens belong to no cluster, not revoked (${escapeMarkdown(h.reason)})`),...report.orphans.errors.map(e=>`revoking an orphan token failed: ${escapeMarkdown(e)}`)];problems.length>0&&out.push(`### Needs attention

${problems.map(p=>`- ${p}`).join(`
`)}`);let changing=report.clusters.filter(c=>(c.tokens?.length??0)>0||c.delivery==="create"||c.delivery==="patch"||(c.revokes?.length??0)>0);if(changing.length>0){let{shown,more}=capped(changing,LIST_LIMIT),title=report.mode==="plan"?"Planned actions":"Changes";out.push(`### ${title} (${changing.length} clusters)

<details><summary>Show</summary>

`+table(["OCM environment","cluster","delivery","tokens","revoke","why"],shown.map(c=>[escapeMarkdown(c.ocmEnvironment),`${escapeMarkdown(c.name)} ${code(c.id)}`,`${c.delivery??"none"} ${c.kind}`,escapeMarkdown((c.tokens??[]).map(x=>`${x.action} ${x.key}`).join(", ")),String(c.revokes?.length??0),escapeMarkdown((c.deliveryReasons??[]).join("; "))]))+more+`

</details>`)}if(report.orphans.planned.length>0){let verb=report.mode==="plan"?"would be revoked":`revoked (${report.orphans.revoked})`;out.push(`### Tokens without a cluster: ${report.orphans.planned.length} ${verb}

Their cluster was deleted, lost its labels, or its binding was removed or denied.`)}let envRows=report.environments.map(e=>[escapeMarkdown(e.name),e.error?"\u274C":"\u2705",String(e.labels),String(e.clusters),String(e.skipped),formatDuration(e.durationMs)]),callRows=report.calls.filter(c=>c.calls>0).map(c=>[escapeMarkdown(c.system),escapeMarkdown(c.operation),String(c.calls),String(c.retries),String(c.rateLimited),String(c.errors)]);return out.push(`<details><summary>Discovery, remote calls and timings</summary>

`+table(["OCM environment","ok","labels","ready clusters","not ready","discovery"],envRows)+(callRows.length?`

${table(["system","operation","calls","retries","429s","errors"],callRows)}`:"")+`

Stages: ${Object.entries(report.stagesMs).map(([k,v])=>`${k} ${formatDuration(v)}`).join(" \xB7 ")}

</details>`),`${out.filter(s=>s!=="").join(`

`)}
`}export{escapeMarkdown,table,renderSummary};
//# sourceMappingURL=chunk-WIXHIH5E.js.map
