/**
 * The periodic progress line of a long run: how far, how fast, and when it will be done, so a person
 * watching a 20-minute reconcile of thousands of clusters knows whether to wait or to look.
 */

/** `45 s`, `3 min 05 s`, `1 h 02 min`: coarse on purpose, an estimate is not a stopwatch. */
export function formatEta(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

function formatRate(perSecond: number): string {
  return perSecond >= 10 ? `${Math.round(perSecond)}/s` : `${perSecond.toFixed(1)}/s`;
}

/**
 * Measures from its creation; `line()` renders `progress: 340/1000 clusters (3 failed) · 68/s · ETA 9 s`.
 * Rate and ETA appear once something is done (before that there is nothing to extrapolate from).
 */
export class ProgressMeter {
  private readonly started: number;

  constructor(
    private readonly total: number,
    private readonly now: () => number = () => performance.now(),
    private readonly unit = 'clusters',
  ) {
    this.started = now();
  }

  line(done: number, failed = 0): string {
    const parts = [`progress: ${done}/${this.total} ${this.unit}${failed > 0 ? ` (${failed} failed)` : ''}`];
    const elapsedS = (this.now() - this.started) / 1000;
    if (done > 0 && elapsedS > 0) {
      const rate = done / elapsedS;
      parts.push(formatRate(rate));
      if (done < this.total) parts.push(`ETA ${formatEta((this.total - done) / rate)}`);
    }
    return parts.join(' · ');
  }
}
