// Calls to droverd's API (spec 6): the bearer token on every request, refusals turned into
// ApiError with the server's own messages, a 401 ending the session, and list paging with the
// X-DRP-LIST-* count headers.

import type { ErrorBody } from "./model.js";
import { endSession, token } from "./session.js";

// Relative to /ui/, so a proxy prefix in front of droverd keeps working.
export const API = "../api/v3";

export class ApiError extends Error {
  constructor(readonly status: number, readonly body: ErrorBody | null, message: string) {
    super(message);
  }
}

async function errorOf(res: Response): Promise<ApiError> {
  let body: ErrorBody | null = null;
  const text = await res.text().catch(() => "");
  try {
    body = JSON.parse(text) as ErrorBody;
  } catch {
    body = null;
  }
  const messages = body?.Messages?.join("; ") || text || res.statusText;
  return new ApiError(res.status, body, `${res.status} ${body?.Type ?? ""}: ${messages}`.trim());
}

export function authHeaders(extra: Record<string, string> = {}): Record<string, string> {
  const t = token();
  return t ? { Authorization: `Bearer ${t}`, ...extra } : extra;
}

// Every call goes through here: a 401 means the token expired or was revoked.
export async function request(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = authHeaders((init.headers as Record<string, string> | undefined) ?? {});
  const res = await fetch(`${API}/${path}`, { cache: "no-store", ...init, headers });
  if (res.status === 401) {
    endSession("Your session expired; please log in again.");
    throw await errorOf(res);
  }
  if (!res.ok) throw await errorOf(res);
  return res;
}

export async function getJson<T>(path: string): Promise<T> {
  const res = await request(path, { headers: { Accept: "application/json" } });
  return (await res.json()) as T;
}

export async function sendJson<T>(method: string, path: string, body: unknown): Promise<T> {
  const res = await request(path, {
    method,
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
  });
  return (await res.json()) as T;
}

export interface PatchOp {
  op: "add" | "remove" | "replace" | "test";
  path: string;
  value?: unknown;
}

// RFC 6902 JSON Patch, the way the CLI changes objects (spec 6.2).
export function patch<T>(prefix: string, key: string, ops: PatchOp[]): Promise<T> {
  return sendJson<T>("PATCH", `${prefix}/${encodeURIComponent(key)}`, ops);
}

export interface Page<T> {
  items: T[];
  total: number;     // X-DRP-LIST-TOTAL-COUNT: the collection
  filtered: number;  // X-DRP-LIST-FILTER-COUNT: matching the filters, before offset/limit
}

function countHeader(res: Response, name: string, fallback: number): number {
  const v = Number(res.headers.get(name));
  return res.headers.has(name) && isFinite(v) ? v : fallback;
}

// GET /<prefix>?<filters>&offset&limit: one page and the counts (server-side filtering).
export async function list<T>(prefix: string, query: URLSearchParams): Promise<Page<T>> {
  const res = await request(`${prefix}?${query.toString()}`, {
    headers: { Accept: "application/json" },
  });
  const items = (await res.json()) as T[];
  return {
    items,
    total: countHeader(res, "X-DRP-LIST-TOTAL-COUNT", items.length),
    filtered: countHeader(res, "X-DRP-LIST-FILTER-COUNT", items.length),
  };
}

// HEAD /<prefix>?<filters>: how many match, without the objects.
export async function count(prefix: string, query: URLSearchParams): Promise<number> {
  const res = await request(`${prefix}?${query.toString()}`, { method: "HEAD" });
  return countHeader(res, "X-DRP-LIST-FILTER-COUNT", 0);
}

// Text to find literally inside a Re() filter (RE2 syntax).
export function reLiteral(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, (c) => `\\${c}`);
}

export function messageOf(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
