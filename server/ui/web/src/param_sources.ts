// Where each of a machine's param values comes from, by the precedence of spec section 8 (first
// hit wins): the machine, its profiles (each with its nested profiles, depth first), its stage,
// the stage's profiles, the global profile and its nested profiles, then the Param's default.

import type { Machine, ParamDef, Profile, Stage } from "./model.js";

export interface ParamSource {
  source: string;   // "machine", "profile web", "stage discover", "global", "default", ...
  value: unknown;
}

export interface ResolvedParam {
  name: string;
  winner: ParamSource;
  shadowed: ParamSource[];  // lower-precedence sources that also set it
  secure: boolean;
}

type Level = [string, Record<string, unknown>];

function profileLevels(name: string, label: string, profiles: Map<string, Profile>,
                       seen: Set<string>, out: Level[]): void {
  const p = profiles.get(name);
  if (!p || seen.has(name)) return;
  seen.add(name);
  out.push([`${label} ${name}`, p.Params ?? {}]);
  for (const nested of p.Profiles ?? []) profileLevels(nested, label, profiles, seen, out);
}

export function resolveParams(machine: Machine, stage: Stage | null, profiles: Map<string, Profile>,
                              defs: Map<string, ParamDef>): ResolvedParam[] {
  const levels: Level[] = [["machine", machine.Params ?? {}]];
  const seen = new Set<string>();
  for (const p of machine.Profiles ?? []) profileLevels(p, "profile", profiles, seen, levels);
  if (stage) {
    levels.push([`stage ${stage.Name}`, stage.Params ?? {}]);
    for (const p of stage.Profiles ?? []) profileLevels(p, "stage profile", profiles, seen, levels);
  }
  const global = profiles.get("global");
  if (global) {
    levels.push(["global", global.Params ?? {}]);
    for (const p of global.Profiles ?? []) profileLevels(p, "global profile", profiles, seen, levels);
  }
  const defaults: Record<string, unknown> = {};
  for (const [name, def] of defs)
    if (def.Schema && "default" in def.Schema) defaults[name] = def.Schema.default;
  levels.push(["default", defaults]);

  const byName = new Map<string, ResolvedParam>();
  for (const [source, params] of levels)
    for (const [name, value] of Object.entries(params)) {
      const hit = { source, value };
      const r = byName.get(name);
      if (r) r.shadowed.push(hit);
      else byName.set(name, { name, winner: hit, shadowed: [],
                              secure: defs.get(name)?.Secure === true });
    }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

// Secure values stay sealed ({Key, Nonce, Payload}) in what the dashboard reads.
export function showValue(p: ResolvedParam, value: unknown): string {
  if (p.secure) return "(secure value)";
  const text = JSON.stringify(value);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
