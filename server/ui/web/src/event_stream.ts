// The live event stream (GET /api/v3/events, SSE; spec 6.6): read with fetch() so the token goes
// in the Authorization header (EventSource cannot send one, and a token in a URL gets logged),
// parsed here, resumed after a drop with Last-Event-ID and backoff; views subscribe by type.

import { API, authHeaders } from "./api.js";
import type { DrpEvent } from "./model.js";
import { endSession } from "./session.js";

export type StreamStatus = "connecting" | "live" | "reconnecting" | "stopped";
type Handler = (ev: DrpEvent) => void;

const MAX_BACKOFF_MS = 30000;

export class EventStream {
  private handlers = new Map<string, Set<Handler>>();
  private resetHandlers = new Set<() => void>();
  private lastId: string | null = null;
  private abort: AbortController | null = null;
  private running = false;
  private backoffMs = 1000;
  private timer: number | undefined;

  constructor(private readonly filters: string[],
              private readonly onStatus: (s: StreamStatus) => void) {}

  // Handlers for one object type ("machines", "jobs", ...); returns the unsubscribe.
  subscribe(type: string, handler: Handler): () => void {
    let set = this.handlers.get(type);
    if (!set) this.handlers.set(type, (set = new Set()));
    set.add(handler);
    return () => set?.delete(handler);
  }

  // Called when events were lost (410 Gone: the server no longer holds them): views re-read.
  onReset(handler: () => void): () => void {
    this.resetHandlers.add(handler);
    return () => this.resetHandlers.delete(handler);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.connect();
  }

  stop(): void {
    this.running = false;
    window.clearTimeout(this.timer);
    this.abort?.abort();
    this.abort = null;
    this.onStatus("stopped");
  }

  private async connect(): Promise<void> {
    this.onStatus(this.lastId === null ? "connecting" : "reconnecting");
    const query = new URLSearchParams();
    for (const f of this.filters) query.append("filter", f);
    const headers = authHeaders({ Accept: "text/event-stream" });
    if (this.lastId !== null) headers["Last-Event-ID"] = this.lastId;
    this.abort = new AbortController();
    try {
      const res = await fetch(`${API}/events?${query.toString()}`,
                              { headers, cache: "no-store", signal: this.abort.signal });
      if (res.status === 401) {
        endSession("Your session expired; please log in again.");
        return;
      }
      if (res.status === 410) {
        // Too far behind: start afresh and let every view re-read its state.
        this.lastId = null;
        for (const h of this.resetHandlers) h();
      }
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      this.backoffMs = 1000;
      this.onStatus("live");
      await this.read(res.body);
    } catch {
      // A dropped connection or a network error: reconnect below, unless stopped.
      if (!this.running) return;
    }
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (!this.running) return;
    this.onStatus("reconnecting");
    const delay = this.backoffMs * (0.75 + Math.random() * 0.5);
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    this.timer = window.setTimeout(() => void this.connect(), delay);
  }

  // SSE framing: lines "field: value", an empty line ends an event; ":" lines are comments.
  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    let data: string[] = [];
    let id: string | null = null;
    let type = "message";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let nl: number;
      while ((nl = buffer.search(/\r?\n/)) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + (buffer[nl] === "\r" ? 2 : 1));
        if (line === "") {
          if (id !== null) this.lastId = id;
          if (data.length) this.dispatch(type, data.join("\n"));
          data = [];
          id = null;
          type = "message";
          continue;
        }
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const val = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "data") data.push(val);
        else if (field === "id") id = val;
        else if (field === "event") type = val;
      }
    }
  }

  private dispatch(type: string, data: string): void {
    // A resume frame is the server's last word on this connection (e.g. shutting down): the
    // stream ends next and we reconnect from lastId.
    if (type === "resume") return;
    let ev: DrpEvent;
    try {
      ev = JSON.parse(data) as DrpEvent;
    } catch {
      return;
    }
    for (const h of this.handlers.get(ev.Type) ?? []) h(ev);
  }
}
