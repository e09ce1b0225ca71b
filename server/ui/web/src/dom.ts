// Tiny DOM helpers: every element is built with createElement and textContent, never innerHTML,
// so server data can never become markup (the CSP forbids inline script and style anyway).
// Also the time formatting every view shares.

export type Child = Node | string | null | undefined | false;
export type Attrs = Record<string, string | number | boolean | null | undefined>;

function applyAttrs(node: Element, attrs: Attrs): void {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    node.setAttribute(name, value === true ? "" : String(value));
  }
}

function append(node: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
  }
}

// el("a", {href: "#/", class: "nav"}, "Fleet"): attributes as given ("class" included).
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  applyAttrs(node, attrs);
  append(node, children);
  return node;
}

export function button(label: string, onClick: (ev: MouseEvent) => void,
                       attrs: Attrs = {}): HTMLButtonElement {
  const b = el("button", { type: "button", ...attrs }, label);
  b.addEventListener("click", onClick);
  return b;
}

export function clear(node: Node): void {
  while (node.firstChild) node.removeChild(node.firstChild);
}

export function replaceChildren(node: Node, ...children: Child[]): void {
  clear(node);
  append(node, children);
}

// Gives `control` the id and returns its visible <label>; the caller places both.
export function labelled(id: string, text: string, control: HTMLElement): HTMLLabelElement {
  control.id = id;
  return el("label", { for: id }, text);
}

export function select(id: string, options: Array<[string, string]>, value: string):
    HTMLSelectElement {
  const s = el("select", { id });
  for (const [v, text] of options) {
    const o = el("option", { value: v }, text);
    if (v === value) o.selected = true;
    s.appendChild(o);
  }
  return s;
}

// A badge for a job state (or "none"); data-state is the browser tests' hook.
export function stateBadge(state: string): HTMLSpanElement {
  const s = state || "none";
  return el("span", { class: `badge state-${s}`, "data-state": s }, s);
}

// "4s", "3m 12s", "2h 05m", "3d 4h".
export function formatDuration(ms: number): string {
  if (!isFinite(ms) || ms < 0) return "";
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, "0")}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, "0")}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

// Go's zero time ("0001-01-01T00:00:00Z") and unparsable texts are "no time".
export function parseTime(t: string | undefined): number | null {
  if (!t || t.startsWith("0001-")) return null;
  const v = Date.parse(t);
  return isNaN(v) ? null : v;
}

export function since(t: string | undefined): string {
  const v = parseTime(t);
  return v === null ? "" : formatDuration(Date.now() - v);
}

export function between(start: string | undefined, end: string | undefined): string {
  const a = parseTime(start), b = parseTime(end);
  return a === null || b === null ? "" : formatDuration(b - a);
}

export function localTime(t: string | undefined): string {
  const v = parseTime(t);
  return v === null ? "" : new Date(v).toLocaleString();
}
