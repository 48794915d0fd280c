/**
 * Mints that are not yet delivered, across the whole run. Normally each cluster settles its own (delivered,
 * or revoked again when the delivery fails); after a signal's deadline the engine stops waiting for the
 * clusters still in flight and revokes what is left here, so a cancelled run leaves no orphan behind.
 */
import type { DynatraceClient } from '../clients/api.js';
import { describeError } from '../errors.js';

interface OpenMint {
  tenantId: string;
  name: string;
  /** Known once the answer arrived; without it the token is found by its exact name. */
  id?: string;
}

export class MintLedger {
  #next = 0;
  readonly #open = new Map<number, OpenMint>();

  begin(tenantId: string, name: string): number {
    const handle = ++this.#next;
    this.#open.set(handle, { tenantId, name });
    return handle;
  }

  minted(handle: number, id: string): void {
    const entry = this.#open.get(handle);
    if (entry) entry.id = id;
  }

  settle(handle: number): void {
    this.#open.delete(handle);
  }

  get size(): number {
    return this.#open.size;
  }

  /** Revokes every open mint: by id, or by exact name when the answer never came (ids known before are kept). */
  async compensate(
    dynatrace: (tenantId: string) => Promise<DynatraceClient>,
    isKnown: (tenantId: string, id: string) => boolean,
  ): Promise<{ revoked: number; errors: string[] }> {
    const out = { revoked: 0, errors: [] as string[] };
    const entries = [...this.#open.entries()];
    await Promise.all(
      entries.map(async ([handle, entry]) => {
        try {
          const dt = await dynatrace(entry.tenantId);
          const ids = entry.id
            ? [entry.id]
            : (await dt.listTokens(entry.name))
                .filter((t) => t.name === entry.name && !isKnown(entry.tenantId, t.id))
                .map((t) => t.id);
          for (const id of ids) if ((await dt.deleteToken(id)) === 'deleted') out.revoked++;
          this.settle(handle);
        } catch (error) {
          out.errors.push(
            `token ${entry.id ?? entry.name} of tenant ${entry.tenantId} was minted for an interrupted cluster and could not be revoked (the next run revokes it): ${describeError(error)}`,
          );
        }
      }),
    );
    return out;
  }
}
