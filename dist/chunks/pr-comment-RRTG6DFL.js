import { createRequire as __dtpCreateRequire } from 'node:module';
import { fileURLToPath as __dtpFileURLToPath } from 'node:url';
import { dirname as __dtpDirname } from 'node:path';
const require = __dtpCreateRequire(import.meta.url);
const __filename = __dtpFileURLToPath(import.meta.url);
const __dirname = __dtpDirname(__filename);
import{redact}from"./chunk-QD6LBWIT.js";import"./chunk-FJUMHGMT.js";var MARKER="<!-- dtp:plan-comment -->",MAX_BODY=65e3;async function currentPullRequest(){let{context}=await import("./github-CC5QRHIF.js"),number=context.payload.pull_request?.number;if(typeof number=="number")return{owner:context.repo.owner,repo:context.repo.repo,number}}function commentBody(markdown){let text=redact(markdown),body=`${MARKER}
${text}`;if(body.length<=MAX_BODY)return body;let note=`

\u2026 cut to fit a comment; the full plan is in the job summary and the report artifact.`,cut=body.slice(0,MAX_BODY-note.length-12),kept=cut.slice(0,Math.max(cut.lastIndexOf(`
`),0)),open=(kept.match(/<details>/g)??[]).length-(kept.match(/<\/details>/g)??[]).length;return kept+(open>0?`

</details>`:"")+note}async function upsertPullRequestComment(target,markdown){let{getOctokit}=await import("./github-CC5QRHIF.js"),octokit=getOctokit(target.token.reveal(),target.apiUrl?{baseUrl:target.apiUrl}:{}),{owner,repo,number}=target.pr,body=commentBody(markdown),mine=(await octokit.paginate(octokit.rest.issues.listComments,{owner,repo,issue_number:number,per_page:100})).find(c=>c.body?.startsWith(MARKER));return mine?(await octokit.rest.issues.updateComment({owner,repo,comment_id:mine.id,body}),"updated"):(await octokit.rest.issues.createComment({owner,repo,issue_number:number,body}),"created")}export{MARKER,commentBody,currentPullRequest,upsertPullRequestComment};
//# sourceMappingURL=pr-comment-RRTG6DFL.js.map
