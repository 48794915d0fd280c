import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MARKER, commentBody, upsertPullRequestComment } from '../../src/platform/pr-comment.js';
import { Secret, registerSecretValue } from '../../src/secret.js';

const API = 'https://api.github.test';
const target = {
  token: new Secret('ghs_pullrequesttoken123'),
  pr: { owner: 'acme', repo: 'fleet', number: 7 },
  apiUrl: API,
};

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
});
afterAll(() => nock.enableNetConnect());

describe('sticky plan comment', () => {
  it('creates the comment when none of ours exists, authenticated with the token', async () => {
    let posted = '';
    nock(API, { reqheaders: { authorization: /ghs_pullrequesttoken123/ } })
      .get('/repos/acme/fleet/issues/7/comments')
      .query({ per_page: '100' })
      .reply(200, [{ id: 1, body: 'a human comment' }])
      .post('/repos/acme/fleet/issues/7/comments', (b) => {
        posted = b.body;
        return true;
      })
      .reply(201, { id: 2 });
    expect(await upsertPullRequestComment(target, '## Plan\n3 tokens to mint')).toBe('created');
    expect(posted).toBe(`${MARKER}\n## Plan\n3 tokens to mint`);
  });

  it('updates our earlier comment in place, found on a later page', async () => {
    const page1 = Array.from({ length: 100 }, (_, i) => ({ id: 100 + i, body: `comment ${i}` }));
    nock(API)
      .get('/repos/acme/fleet/issues/7/comments')
      .query({ per_page: '100' })
      .reply(200, page1, {
        link: `<${API}/repos/acme/fleet/issues/7/comments?per_page=100&page=2>; rel="next"`,
      })
      .get('/repos/acme/fleet/issues/7/comments')
      .query({ per_page: '100', page: '2' })
      .reply(200, [{ id: 555, body: `${MARKER}\nold plan` }])
      .patch('/repos/acme/fleet/issues/comments/555', (b) => b.body === `${MARKER}\nnew plan`)
      .reply(200, { id: 555 });
    expect(await upsertPullRequestComment(target, 'new plan')).toBe('updated');
  });

  it('redacts secrets and stays under the size GitHub accepts', () => {
    registerSecretValue('dt0c01.LEAKED.value');
    expect(commentBody('token dt0c01.LEAKED.value')).toBe(`${MARKER}\ntoken ***`);
    const long = commentBody('x'.repeat(100_000));
    expect(long.length).toBeLessThanOrEqual(65_000);
    expect(long).toContain('full plan is in the job summary');
  });

  it('cuts a long plan at a line end and closes the folded section it cut into', () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `| cluster-${i} | a\\|b &amp; c |`).join('\n');
    const body = commentBody(`## Plan\n\n<details><summary>Show</summary>\n\n${rows}\n\n</details>\n`);
    expect(body.length).toBeLessThanOrEqual(65_000);
    const kept = body.split('\n\n</details>')[0]!.split('\n');
    // Every kept table row is whole: a cut inside `&amp;` or `\|` would change what renders.
    expect(kept.filter((l) => l.startsWith('| cluster-')).every((l) => l.endsWith('c |'))).toBe(true);
    expect(body).toMatch(/\n\n<\/details>\n\n… cut to fit a comment/);
  });
});
