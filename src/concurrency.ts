/** Runs `fn` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** One promise per key: concurrent callers for the same key share the first call (and its failure). */
export function singleFlight<K, V>(load: (key: K) => Promise<V>): (key: K) => Promise<V> {
  const cache = new Map<K, Promise<V>>();
  return (key) => {
    let pending = cache.get(key);
    if (!pending) {
      pending = load(key);
      cache.set(key, pending);
    }
    return pending;
  };
}

/**
 * At most `limit` tasks at once, for work that arrives over time. Waiting tasks start round-robin over their
 * groups (first come first served within one): each OCM environment has its own rate limit, so serving one
 * environment's batch before the next would leave the other's budget idle.
 */
export function groupLimiter(limit: number): <R>(group: string, task: () => Promise<R>) => Promise<R> {
  let active = 0;
  const queues = new Map<string, { items: (() => void)[]; head: number }>();
  let turn = 0;
  const take = (): (() => void) | undefined => {
    const groups = [...queues.values()];
    for (let i = 0; i < groups.length; i++) {
      const q = groups[(turn + i) % groups.length]!;
      if (q.head < q.items.length) {
        turn = (turn + i + 1) % groups.length;
        const start = q.items[q.head]!;
        q.items[q.head++] = undefined as never;
        return start;
      }
    }
    return undefined;
  };
  const next = () => {
    while (active < Math.max(1, limit)) {
      const start = take();
      if (!start) return;
      active++;
      start();
    }
  };
  return (group, task) =>
    new Promise((resolve, reject) => {
      let q = queues.get(group);
      if (!q) queues.set(group, (q = { items: [], head: 0 }));
      q.items.push(() =>
        task()
          .then(resolve, reject)
          .finally(() => {
            active--;
            next();
          }),
      );
      next();
    });
}
