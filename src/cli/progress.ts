/** A progress bar on stderr for long work (hidden when stderr is not a terminal or with --json). */
import { createRequire } from 'node:module';

// cli-progress loads only when a bar is drawn (a terminal), not on every start of the CLI.
const require = createRequire(import.meta.url);

/** Progress reported by long-running work. */
export interface ProgressEvent {
  phase: string;
  done: number;
  total: number;
}

/** Returns an onProgress callback drawing a bar (counting `unit`, e.g. "days"), and a stop function. */
export function progressBar(
  enabled: boolean,
  unit = '',
): { onProgress: (event: ProgressEvent) => void; stop: () => void } {
  const units = unit ? ` ${unit}` : '';
  if (!enabled || !process.stderr.isTTY) {
    let lastPhase = '';
    let lastTenth = -1;
    return {
      onProgress: (event) => {
        // Without a terminal, a line per phase and per tenth of the work keeps logs readable.
        if (!enabled) return;
        if (event.phase !== lastPhase) {
          process.stderr.write(`${event.phase}…\n`);
          lastPhase = event.phase;
          lastTenth = -1;
        }
        const tenth = event.total > 0 ? Math.floor((event.done / event.total) * 10) : 0;
        if (tenth > lastTenth && tenth > 0)
          process.stderr.write(`  ${event.phase} ${tenth * 10}% (${event.done}/${event.total}${units})\n`);
        lastTenth = Math.max(lastTenth, tenth);
      },
      stop: () => {},
    };
  }
  const cliProgress = require('cli-progress') as typeof import('cli-progress');
  const bar = new cliProgress.SingleBar(
    {
      format: `{phase} |{bar}| {percentage}% {value}/{total}${units} eta {eta_formatted}`,
      stream: process.stderr,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    onProgress: (event) => {
      if (!started) {
        bar.start(event.total, event.done, { phase: event.phase });
        started = true;
      }
      bar.setTotal(event.total);
      bar.update(event.done, { phase: event.phase });
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
