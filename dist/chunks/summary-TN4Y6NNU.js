import { createRequire as __dtpCreateRequire } from 'node:module';
import { fileURLToPath as __dtpFileURLToPath } from 'node:url';
import { dirname as __dtpDirname } from 'node:path';
const require = __dtpCreateRequire(import.meta.url);
const __filename = __dtpFileURLToPath(import.meta.url);
const __dirname = __dtpDirname(__filename);
import{REVOKE_WHY,TOKEN_VERB,breakdownSection,changeRow,countsTable,denialsSection,detailsSection,failuresSection,interruptedSection,metaLine,problemsSection,renderSummary,rotationSection}from"./chunk-ER3CZY5P.js";import"./chunk-ZC6EQVI3.js";import"./chunk-FJUMHGMT.js";export{REVOKE_WHY,TOKEN_VERB,breakdownSection,changeRow,countsTable,denialsSection,detailsSection,failuresSection,interruptedSection,metaLine,problemsSection,renderSummary,rotationSection};
//# sourceMappingURL=summary-TN4Y6NNU.js.map
