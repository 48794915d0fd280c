/**
 * A tenant's URL must be its own: clusters receive `<environmentUrl>/api` as `apiUrl`, and the cluster
 * label names the tenant by environment id, so the two must agree. SaaS names the environment in the first
 * DNS label (`https://<id>.live.dynatrace.com`), Managed in the path (`https://<host>/e/<id>`).
 */
import type { Located } from '../catalog.js';
import type { Problems } from '../problems.js';
import type { DynatraceTenant } from '../types.js';

export function checkTenantUrl({ doc, object: tenant }: Located<DynatraceTenant>, problems: Problems): void {
  const url = new URL(tenant.environmentUrl);
  const host = url.hostname;
  const expected = `https://${tenant.environmentId}.live.dynatrace.com`;
  const managed = /^\/e\/([^/]+)$/.exec(url.pathname);
  if (managed) {
    if (managed[1] !== tenant.environmentId) {
      problems.at(
        doc,
        '/spec/environmentUrl',
        `path \`/e/${managed[1]}\` names environment \`${managed[1]}\`, not \`${tenant.environmentId}\``,
        { hint: 'A Managed environment URL is https://<host>/e/<environmentId>; fix whichever is wrong.' },
      );
    }
    return;
  }
  const [label, ...rest] = host.split('.');
  if (label !== tenant.environmentId) {
    problems.at(
      doc,
      '/spec/environmentUrl',
      `host \`${host}\` does not start with the environment id \`${tenant.environmentId}\``,
      {
        hint: `The URL of environment ${tenant.environmentId} is ${expected}; fix whichever of the two is wrong.`,
      },
    );
    return;
  }
  // The browser shows the platform address; the Environment API v2 that the Operator calls is on `live`.
  if (rest.join('.') === 'apps.dynatrace.com') {
    problems.at(doc, '/spec/environmentUrl', `\`${host}\` is the Dynatrace web UI, not the API`, {
      hint: `Use ${expected}: the Dynatrace Operator calls the Environment API there.`,
    });
  }
}
