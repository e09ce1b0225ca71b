#!/usr/bin/env python3
"""Builds the template corpus: renders every case of corpus_src.py with the Go oracle and
writes expected/<topic>.jsonl (one case per line: its input overrides and Go's verdict).
Dev tool (needs python3 and the oracle); the C++ test only reads the generated files.

  corpus_gen.py --oracle /tmp/gotmpl-oracle            regenerate expectations
  corpus_gen.py --check build-tmpl/agent/drover        compare drover against them
"""
import argparse, json, os, subprocess, sys
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import corpus_src as src  # noqa: E402

DEFAULTS = {
    "main": "main", "machine": src.DEFAULT_MACHINE, "params": src.DEFAULT_PARAMS,
    "task": src.TASK, "stage": src.STAGE, "env": src.ENV,
    "apiURL": "https://10.0.0.1:8092", "provisionerURL": "http://10.0.0.1:8091",
}


def case_overrides(c):
    if isinstance(c, str):
        c = {"t": c}
    o = {"templates": dict(c.get("x", {}), main=c["t"])}
    if "p" in c:
        o["params"] = c["p"]
    if "m" in c:
        o["machine"] = c["m"]
    for k in ("task", "stage", "env"):
        if k in c:
            o[k] = c[k]
    o.update(c.get("extra", {}))
    return o, bool(c.get("loose"))


def full_doc(o):
    """Mirror of the C++ test's merge: params are added to the defaults, the rest replace."""
    d = json.loads(json.dumps(DEFAULTS))
    for k, v in o.items():
        if k == "params":
            d["params"].update(v)
        else:
            d[k] = v
    return d


def run(cmd, doc):
    p = subprocess.run(cmd, input=json.dumps(doc).encode(), capture_output=True, timeout=30)
    return p.returncode, p.stdout.decode("utf-8", "surrogateescape"), p.stderr.decode("utf-8", "surrogateescape")


def verdict(rc, out, err):
    if rc == 0:
        return {"out": out}
    return {"err": err[:-1] if err.endswith("\n") else err}


def regenerate(oracle):
    os.makedirs(os.path.join(HERE, "expected"), exist_ok=True)
    with open(os.path.join(HERE, "expected", "defaults.json"), "w") as f:
        json.dump(DEFAULTS, f, indent=1, sort_keys=True)
        f.write("\n")
    total = 0
    for topic, cases in src.TOPICS.items():
        items = [case_overrides(c) for c in cases]
        with ThreadPoolExecutor(4) as ex:
            results = list(ex.map(lambda it: run([oracle], full_doc(it[0])), items))
        with open(os.path.join(HERE, "expected", topic + ".jsonl"), "w") as f:
            for i, ((o, loose), res) in enumerate(zip(items, results)):
                if res[0] not in (0, 1):
                    sys.exit(f"{topic}#{i}: oracle crashed (rc={res[0]}): {res[2][:200]}")
                line = {"name": f"{topic}#{i}", "input": o}
                if loose:
                    line["loose"] = True
                line.update(verdict(*res))
                f.write(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n")
                total += 1
    print(f"wrote {total} cases")


def check(drover):
    bad = 0
    total = 0
    for name in sorted(os.listdir(os.path.join(HERE, "expected"))):
        if not name.endswith(".jsonl"):
            continue
        lines = [json.loads(l) for l in open(os.path.join(HERE, "expected", name))]
        with ThreadPoolExecutor(4) as ex:
            results = list(ex.map(lambda c: run([drover, "template", "render"], full_doc(c["input"])), lines))
        for c, res in zip(lines, results):
            total += 1
            got = verdict(*res)
            want = {k: c[k] for k in ("out", "err") if k in c}
            if got != want:
                bad += 1
                print(f"DIFF {c['name']}: {json.dumps(c['input']['templates'])[:150]}\n  want {json.dumps(want)[:300]}\n  got  {json.dumps(got)[:300]}")
    print(f"{total - bad}/{total} match")
    return bad == 0


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--oracle")
    ap.add_argument("--check")
    a = ap.parse_args()
    if a.oracle:
        regenerate(a.oracle)
    if a.check:
        sys.exit(0 if check(a.check) else 1)
