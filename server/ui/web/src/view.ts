// What every view gets from the application shell, and what it gives back: a view draws into
// its container and returns a cleanup that drops its subscriptions and timers.

import type { EventStream } from "./event_stream.js";

export interface ViewContext {
  events: EventStream;
  // A message for the shell's aria-live status line (e.g. "Machine paused").
  announce(message: string): void;
}

export type Cleanup = () => void;

// Runs `fn` at most once per `ms`, the last call winning: live events come in bursts.
export function throttle(fn: () => void, ms: number): { (): void; cancel(): void } {
  let timer: number | undefined;
  const run = (): void => {
    if (timer !== undefined) return;
    timer = window.setTimeout(() => {
      timer = undefined;
      fn();
    }, ms);
  };
  run.cancel = (): void => window.clearTimeout(timer);
  return run;
}
