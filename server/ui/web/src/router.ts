// Hash routes (nothing reaches the server, so no token or filter ends up in its logs):
// #/ (fleet, with ?workflow=&stage=&state=&name=), #/machines/<uuid>, #/jobs/<uuid>,
// #/workflows and #/workflows/<name>.

export type Route =
  | { view: "fleet"; query: URLSearchParams }
  | { view: "machine"; id: string }
  | { view: "job"; id: string }
  | { view: "workflows" }
  | { view: "workflow"; name: string }
  | { view: "notfound"; path: string };

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, "") || "/";
  const q = raw.indexOf("?");
  const path = q < 0 ? raw : raw.slice(0, q);
  const query = new URLSearchParams(q < 0 ? "" : raw.slice(q + 1));
  const parts = path.split("/").filter((p) => p !== "").map(decodeURIComponent);
  if (parts.length === 0) return { view: "fleet", query };
  if (parts[0] === "machines" && parts.length === 2) return { view: "machine", id: parts[1] };
  if (parts[0] === "jobs" && parts.length === 2) return { view: "job", id: parts[1] };
  if (parts[0] === "workflows" && parts.length === 1) return { view: "workflows" };
  if (parts[0] === "workflows" && parts.length === 2) return { view: "workflow", name: parts[1] };
  return { view: "notfound", path };
}

export function machineHref(uuid: string): string {
  return `#/machines/${encodeURIComponent(uuid)}`;
}

export function jobHref(uuid: string): string {
  return `#/jobs/${encodeURIComponent(uuid)}`;
}

export function workflowHref(name: string): string {
  return `#/workflows/${encodeURIComponent(name)}`;
}

export function fleetHref(filters: Record<string, string>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `#/?${s}` : "#/";
}

export function onRouteChange(handler: (r: Route) => void): void {
  window.addEventListener("hashchange", () => handler(parseRoute(location.hash)));
}
