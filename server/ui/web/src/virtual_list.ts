// A virtualised table for long server-paged lists (10,000 machines): only the rows in view (plus
// a margin) are in the DOM, positioned absolutely in a spacer as tall as the whole list; rows
// come in pages fetched on demand from a PageSource (the list API's offset/limit and filters).

import { el } from "./dom.js";

export interface PageSource<T> {
  fetch(offset: number, limit: number): Promise<{ items: T[]; filtered: number }>;
}

export interface VirtualListOptions<T> {
  label: string;              // the table's accessible name
  columns: string[];          // header texts, in the order renderCells returns the cells
  rowHeight: number;          // px; CSS gives .vrow the same height
  pageSize: number;
  renderCells(item: T, index: number): HTMLElement[];
  key(item: T): string;       // what live updates find an item by (a machine's Uuid)
  rowAttrs(item: T): Record<string, string>;
  onTotal(filtered: number | null): void;  // null: loading a new filter
  onError(message: string): void;
}

const OVERSCAN = 8;

interface Shown<T> {
  row: HTMLElement;
  item: T | undefined;
}

export class VirtualList<T> {
  readonly element: HTMLDivElement;
  private readonly scroller: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private source: PageSource<T> | null = null;
  private pages = new Map<number, T[]>();
  private where = new Map<string, [number, number]>();  // key -> [page, index in page]
  private pending = new Set<number>();
  private shown = new Map<number, Shown<T>>();
  private total = 0;
  private generation = 0;
  private frame = 0;

  constructor(private readonly opts: VirtualListOptions<T>) {
    const header = el("div", { role: "row", class: "vrow vhead", "aria-rowindex": 1 });
    for (const c of opts.columns) header.appendChild(el("span", { role: "columnheader" }, c));
    this.spacer = el("div", { class: "vspacer", role: "rowgroup" });
    this.scroller = el("div", { class: "vscroll" }, this.spacer);
    this.element = el("div", { class: "vlist", role: "table", "aria-label": opts.label },
                      el("div", { role: "rowgroup" }, header), this.scroller);
    this.scroller.addEventListener("scroll", () => this.schedule());
    this.scroller.addEventListener("keydown", (ev) => this.onKey(ev));
    window.addEventListener("resize", this.onResize);
  }

  private readonly onResize = (): void => this.schedule();

  destroy(): void {
    window.removeEventListener("resize", this.onResize);
    cancelAnimationFrame(this.frame);
    this.generation++;
  }

  // A new filter: forget everything and start from the top.
  setSource(source: PageSource<T>): void {
    this.source = source;
    this.generation++;
    this.pages.clear();
    this.where.clear();
    this.pending.clear();
    this.scroller.scrollTop = 0;
    this.setTotal(0);
    this.opts.onTotal(null);
    this.schedule();
    void this.load(0);
  }

  // Live changes that may move rows in or out: re-read the pages in view, keep the scroll.
  refresh(): void {
    if (!this.source) return;
    this.generation++;
    const keep = new Set(this.visiblePages());
    this.pending.clear();
    for (const p of [...this.pages.keys()]) if (!keep.has(p)) this.setPage(p, undefined);
    for (const p of keep) void this.load(p);
  }

  // An event changed one object: update it in the cache (a map lookup, not a scan: events come
  // by the thousand) and redraw its row if shown.
  update(key: string, change: (item: T) => T): void {
    const at = this.where.get(key);
    const items = at && this.pages.get(at[0]);
    if (!at || !items || items[at[1]] === undefined) return;
    items[at[1]] = change(items[at[1]] as T);
    this.schedule();
  }

  private setPage(page: number, items: T[] | undefined): void {
    for (const it of this.pages.get(page) ?? []) this.where.delete(this.opts.key(it));
    if (!items) {
      this.pages.delete(page);
      return;
    }
    this.pages.set(page, items);
    items.forEach((it, i) => this.where.set(this.opts.key(it), [page, i]));
  }

  private setTotal(n: number): void {
    this.total = n;
    this.spacer.style.height = `${n * this.opts.rowHeight}px`;
    this.element.setAttribute("aria-rowcount", String(n + 1));
    this.opts.onTotal(n);
  }

  private range(): [number, number] {
    const h = this.opts.rowHeight;
    const first = Math.max(0, Math.floor(this.scroller.scrollTop / h) - OVERSCAN);
    const visible = Math.ceil((this.scroller.clientHeight || 600) / h);
    const last = Math.min(this.total, first + visible + 2 * OVERSCAN);
    return [first, last];
  }

  private visiblePages(): number[] {
    const [first, last] = this.range();
    const size = this.opts.pageSize;
    const pages: number[] = [];
    for (let p = Math.floor(first / size); p * size < Math.max(last, 1); p++) pages.push(p);
    return pages;
  }

  private async load(page: number): Promise<void> {
    if (!this.source || this.pending.has(page)) return;
    const generation = this.generation;
    this.pending.add(page);
    try {
      const size = this.opts.pageSize;
      const r = await this.source.fetch(page * size, size);
      if (generation !== this.generation) return;
      this.setPage(page, r.items);
      if (r.filtered !== this.total || page === 0) this.setTotal(r.filtered);
      this.schedule();
    } catch (err) {
      if (generation === this.generation) this.opts.onError(String(err));
    } finally {
      if (generation === this.generation) this.pending.delete(page);
    }
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private itemAt(index: number): T | undefined {
    const size = this.opts.pageSize;
    return this.pages.get(Math.floor(index / size))?.[index % size];
  }

  private render(): void {
    const [first, last] = this.range();
    for (const p of this.visiblePages()) if (!this.pages.has(p)) void this.load(p);
    for (const [i, s] of this.shown)
      if (i < first || i >= last) {
        s.row.remove();
        this.shown.delete(i);
      }
    for (let i = first; i < last; i++) {
      const item = this.itemAt(i);
      const s = this.shown.get(i);
      // Unchanged rows stay in the DOM, so keyboard focus inside them survives scrolling.
      if (s && item !== undefined && s.item === item) continue;
      const row = this.makeRow(item, i);
      const focused = s?.row.contains(document.activeElement) === true;
      if (s) s.row.replaceWith(row);
      else this.spacer.appendChild(row);
      // A live update redrew the row the keyboard is on: keep the focus there.
      if (focused) row.querySelector<HTMLElement>("a")?.focus({ preventScroll: true });
      this.shown.set(i, { row, item });
    }
  }

  private makeRow(item: T | undefined, index: number): HTMLElement {
    const attrs = item === undefined ? {} : this.opts.rowAttrs(item);
    const row = el("div", { role: "row", class: "vrow", "aria-rowindex": index + 2,
                            "data-index": index, ...attrs });
    row.style.top = `${index * this.opts.rowHeight}px`;
    if (item === undefined) {
      row.classList.add("loading");
      row.appendChild(el("span", { role: "cell" }, "…"));
      return row;
    }
    for (const cell of this.opts.renderCells(item, index)) {
      cell.setAttribute("role", "cell");
      row.appendChild(cell);
    }
    return row;
  }

  // Arrow keys move between the rows' links, scrolling rows into the DOM as needed.
  private onKey(ev: KeyboardEvent): void {
    if (ev.key !== "ArrowDown" && ev.key !== "ArrowUp") return;
    const row = (ev.target as HTMLElement).closest<HTMLElement>(".vrow");
    if (!row || row.dataset["index"] === undefined) return;
    const next = Number(row.dataset["index"]) + (ev.key === "ArrowDown" ? 1 : -1);
    if (next < 0 || next >= this.total) return;
    ev.preventDefault();
    const h = this.opts.rowHeight;
    const top = next * h;
    if (top < this.scroller.scrollTop) this.scroller.scrollTop = top;
    else if (top + h > this.scroller.scrollTop + this.scroller.clientHeight)
      this.scroller.scrollTop = top + h - this.scroller.clientHeight;
    this.render();
    this.shown.get(next)?.row.querySelector<HTMLElement>("a")?.focus();
  }
}
