/**
 * Plan reads with plan credentials (src/credentials.ts): when the configuration names a read-only token or
 * read-only OCM credentials, plan uses those and never the bootstrap token or the write credentials; every
 * other mode, and plan without them, uses the write credentials.
 */
import { describe, expect, it } from 'vitest';
import type { DynatraceTenant, OcmEnvironment } from '../../src/config/types.js';
import { dynatraceTokenRef, ocmCredentialsRef } from '../../src/credentials.js';

const bootstrap = { mount: 'kv', path: 'dt/bootstrap', field: 'token' };
const planToken = { mount: 'kv', path: 'dt/plan', field: 'token' };
const tenant = (withPlan: boolean) =>
  ({
    environmentId: 'abc12345',
    bootstrapToken: bootstrap,
    ...(withPlan ? { planToken } : {}),
  }) as unknown as DynatraceTenant;

const write = { mount: 'kv', path: 'ocm/write', offlineTokenField: 'offline_token' };
const read = { mount: 'kv', path: 'ocm/read', offlineTokenField: 'offline_token' };
const environment = (withPlan: boolean) =>
  ({
    name: 'production',
    credentials: write,
    ...(withPlan ? { planCredentials: read } : {}),
  }) as unknown as OcmEnvironment;

describe('which Dynatrace token a run reads', () => {
  it('plan with a plan token reads the plan token, never the bootstrap token', () => {
    expect(dynatraceTokenRef(tenant(true), 'plan')).toEqual({
      ref: planToken,
      what: 'plan token of abc12345',
    });
  });

  it('reconcile reads the bootstrap token even when a plan token is configured', () => {
    expect(dynatraceTokenRef(tenant(true), 'reconcile')).toEqual({
      ref: bootstrap,
      what: 'bootstrap token of abc12345',
    });
    expect(dynatraceTokenRef(tenant(true), 'validate').ref).toBe(bootstrap);
  });

  it('plan without a plan token falls back to the bootstrap token', () => {
    expect(dynatraceTokenRef(tenant(false), 'plan')).toEqual({
      ref: bootstrap,
      what: 'bootstrap token of abc12345',
    });
  });
});

describe('which OCM credentials a run uses', () => {
  it('plan with plan credentials uses them, never the credentials that write SyncSets', () => {
    expect(ocmCredentialsRef(environment(true), 'plan')).toEqual({
      credentials: read,
      what: 'OCM production plan credentials',
    });
  });

  it('reconcile uses the write credentials even when plan credentials are configured', () => {
    expect(ocmCredentialsRef(environment(true), 'reconcile')).toEqual({
      credentials: write,
      what: 'OCM production',
    });
  });

  it('plan without plan credentials falls back to the write credentials', () => {
    expect(ocmCredentialsRef(environment(false), 'plan')).toEqual({
      credentials: write,
      what: 'OCM production',
    });
  });
});
