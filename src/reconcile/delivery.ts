/**
 * The Secret layout inside the delivery object (SyncSet `resources` / Manifest `workloads`), kept exactly as
 * the reference implementation writes it so fleets it manages are adopted without re-issuing tokens:
 * `data.apiUrl`, and per token `<key>` = value and `<key>Id` = id, base64, no surrounding whitespace.
 */
import type { DeliveryKind, DeliveryObjectWire } from '../clients/api.js';
import { Secret } from '../secret.js';
import { DELIVERY_ID } from './naming.js';
import type { DeliveredSecret, ObservedDelivery, PlannedSecret } from './model.js';

/** The standard Kubernetes label saying who manages the Secret (ignored when comparing, so adoption is silent). */
const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
const MANAGED_BY = 'dynatrace-token-provider';

interface SecretResource {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: unknown; namespace?: unknown };
  data?: Record<string, unknown>;
  stringData?: Record<string, unknown>;
}

function decode(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  // Strict base64: anything else is treated as unreadable, and the token re-minted, rather than guessed.
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) return undefined;
  return Buffer.from(value, 'base64').toString('utf8');
}

/** Token values are secrets; ids (`<key>Id`) and `apiUrl` are not, and stay readable in reports. */
function wrap(key: string, value: string): Secret {
  return key === 'apiUrl' || key.endsWith('Id') ? Secret.plain(value) : new Secret(value);
}

/** Reads the Secrets out of a delivery object; every value is wrapped at once. */
export function parseDelivery(wire: DeliveryObjectWire): ObservedDelivery {
  const secrets: DeliveredSecret[] = [];
  let otherItems = 0;
  for (const item of wire.items) {
    const resource = item as SecretResource;
    const name = resource?.metadata?.name;
    const namespace = resource?.metadata?.namespace;
    if (resource?.kind !== 'Secret' || typeof name !== 'string' || typeof namespace !== 'string') {
      otherItems++;
      continue;
    }
    const data = new Map<string, Secret>();
    for (const [key, raw] of Object.entries(resource.data ?? {})) {
      const value = decode(raw);
      if (value !== undefined) data.set(key, wrap(key, value));
    }
    for (const [key, raw] of Object.entries(resource.stringData ?? {})) {
      if (typeof raw === 'string') data.set(key, wrap(key, raw));
    }
    secrets.push({ namespace, name, data });
  }
  return { kind: wire.kind, secrets, otherItems };
}

/** The data map of one planned Secret; every minted value must be resolved by then. */
export function secretData(
  secret: PlannedSecret,
  mintedValue: (tokenIndex: number) => { id: string; value: Secret },
): Map<string, string> {
  if (secret.carriedOver) {
    return new Map([...secret.carriedOver.data].map(([k, v]) => [k, v.reveal()]));
  }
  const data = new Map<string, string>([['apiUrl', secret.apiUrl]]);
  secret.tokens.forEach((token, index) => {
    const { id, value } = token.source.kind === 'existing' ? token.source : mintedValue(index);
    data.set(token.key, value.reveal().trim());
    data.set(`${token.key}Id`, id.trim());
  });
  return data;
}

/** The delivery object to send. The one place where token values are revealed into the Secret data. */
export function buildDelivery(
  kind: DeliveryKind,
  secrets: { namespace: string; name: string; data: Map<string, string> }[],
): DeliveryObjectWire {
  return {
    kind,
    id: DELIVERY_ID,
    items: secrets.map((s) => ({
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: {
        name: s.name,
        namespace: s.namespace,
        labels: { [MANAGED_BY_LABEL]: MANAGED_BY },
      },
      data: Object.fromEntries([...s.data].map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')])),
    })),
  };
}
