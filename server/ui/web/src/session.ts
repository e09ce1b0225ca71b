// Who is logged in: the bearer token in sessionStorage (gone with the tab, never in a URL), the
// claims it carries (read from its unsigned-to-us payload, only to decide which buttons to show:
// the server still authorises every call), and the single "session ended" notification.

import type { Claim } from "./model.js";

const TOKEN_KEY = "drover.token";
const USER_KEY = "drover.user";
// Long enough for a working session; the server caps it at its own limits.
const TOKEN_TTL = "8h";

interface TokenPayload {
  sub?: string;
  exp?: number;
  claims?: Claim[];
}

type Listener = (reason: string) => void;
const endListeners: Listener[] = [];

export function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function userName(): string {
  return sessionStorage.getItem(USER_KEY) ?? "";
}

function base64UrlDecode(part: string): string {
  const b64 = part.replace(/-/g, "+").replace(/_/g, "/");
  const padded = b64 + "=".repeat((4 - (b64.length % 4)) % 4);
  const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

function payload(): TokenPayload {
  const t = token();
  if (!t) return {};
  try {
    const parsed: unknown = JSON.parse(base64UrlDecode(t.split(".")[0] ?? ""));
    return typeof parsed === "object" && parsed !== null ? (parsed as TokenPayload) : {};
  } catch {
    return {};
  }
}

export function loggedIn(): boolean {
  const p = payload();
  return token() !== null && (p.exp === undefined || p.exp * 1000 > Date.now());
}

function listHas(field: string, value: string): boolean {
  return field === "*" || field.split(",").includes(value);
}

// The same matching as common/security/claims (scope, action, specific: "*" or a comma list).
export function can(scope: string, action: string, specific = "*"): boolean {
  const claims = payload().claims ?? [];
  return claims.some((c) => listHas(c.scope, scope) && listHas(c.action, action) &&
                            (c.specific === "*" || listHas(c.specific, specific)));
}

// Read-only users see no buttons: this is what every view asks before drawing one.
export function canChangeMachines(): boolean {
  return can("machines", "patch");
}

export function roleSummary(): string {
  if (can("users", "create")) return "admin";
  return canChangeMachines() ? "operator" : "read-only";
}

export class LoginError extends Error {}

// GET /users/<name>/token with Basic auth (spec 6.1); the password is used once and dropped.
export async function login(name: string, password: string): Promise<void> {
  const basic = btoa(String.fromCharCode(...new TextEncoder().encode(`${name}:${password}`)));
  const res = await fetch(`../api/v3/users/${encodeURIComponent(name)}/token?ttl=${TOKEN_TTL}`, {
    headers: { Authorization: `Basic ${basic}`, Accept: "application/json" },
    cache: "no-store",
  });
  if (res.status === 401 || res.status === 403) throw new LoginError("Wrong user name or password");
  if (!res.ok) throw new LoginError(`Login failed: HTTP ${res.status}`);
  const body = (await res.json()) as { Token?: string };
  if (!body.Token) throw new LoginError("Login failed: no token in the answer");
  sessionStorage.setItem(TOKEN_KEY, body.Token);
  sessionStorage.setItem(USER_KEY, name);
}

export function onSessionEnd(listener: Listener): void {
  endListeners.push(listener);
}

// Logout, or a 401 from any call (expired or revoked token): back to the login view.
export function endSession(reason: string): void {
  const had = token() !== null;
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(USER_KEY);
  if (had) for (const l of endListeners) l(reason);
}
