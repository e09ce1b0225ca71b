#!/usr/bin/env python3
"""Differential fuzzer: generates random templates and data, renders each with the Go
oracle and with `drover template render --batch`, and reports every difference (output
bytes, or error vs. success, or error text). Dev tool, not part of ctest.

  fuzz_diff.py --oracle /tmp/gotmpl-oracle --drover build-tmpl/agent/drover -n 100000 [--seed 1]

Cases where Go prints the render data struct (it holds pointers, so Go prints addresses:
"0xc0..." / "&{map[...") are skipped as non-deterministic and counted; drover's batch mode
flags them ("opaque") even when the address is hidden, e.g. inside b64enc.
"""
import argparse, json, os, random, subprocess, sys
from concurrent.futures import ThreadPoolExecutor

FUNCS = {
    # name: (min args, max args)
    "and": (1, 3), "or": (1, 3), "not": (1, 1), "len": (1, 1), "index": (1, 3), "print": (0, 3),
    "printf": (1, 3), "println": (0, 2), "eq": (1, 3), "ne": (2, 2), "lt": (2, 2), "le": (2, 2),
    "gt": (2, 2), "ge": (2, 2), "html": (1, 2), "js": (1, 1), "urlquery": (1, 1), "slice": (1, 3),
    "default": (1, 2), "empty": (1, 1), "coalesce": (0, 3), "ternary": (3, 3), "toJson": (1, 1),
    "toPrettyJson": (1, 1), "toString": (1, 1), "quote": (0, 2), "squote": (0, 2), "trim": (1, 1),
    "trimPrefix": (2, 2), "trimSuffix": (2, 2), "upper": (1, 1), "lower": (1, 1), "title": (1, 1),
    "replace": (3, 3), "split": (2, 2), "splitList": (2, 2), "join": (2, 2), "contains": (2, 2),
    "hasPrefix": (2, 2), "hasSuffix": (2, 2), "repeat": (2, 2), "substr": (3, 3), "nospace": (1, 1),
    "cat": (0, 3), "indent": (2, 2), "nindent": (2, 2), "list": (0, 3), "dict": (0, 4), "get": (2, 2),
    "set": (3, 3), "hasKey": (2, 2), "pluck": (1, 3), "merge": (1, 3), "append": (2, 2),
    "prepend": (2, 2), "first": (1, 1), "last": (1, 1), "rest": (1, 1), "initial": (1, 1),
    "uniq": (1, 1), "without": (1, 3), "has": (2, 2), "concat": (0, 3), "add": (0, 3), "add1": (1, 1),
    "sub": (2, 2), "mul": (1, 3), "div": (2, 2), "mod": (2, 2), "max": (1, 3), "min": (1, 3),
    "int": (1, 1), "int64": (1, 1), "float64": (1, 1), "atoi": (1, 1), "seq": (0, 3), "until": (1, 1),
    "untilStep": (3, 3), "b64enc": (1, 1), "b64dec": (1, 1), "sha256sum": (1, 1), "kindOf": (1, 1),
    "typeOf": (1, 1), "sortAlpha": (1, 1), "reverse": (1, 1), "compact": (1, 1), "trunc": (2, 2),
    "plural": (3, 3), "semverCompare": (2, 2), "fromJson": (1, 1), "toRawJson": (1, 1),
    "all": (0, 3), "any": (0, 3), "deepEqual": (2, 2), "floor": (1, 1), "ceil": (1, 1),
    "unset": (2, 2), "pick": (1, 3), "omit": (1, 3), "base": (1, 1), "dir": (1, 1), "ext": (1, 1),
}
PARAM_NAMES = ["s", "n", "f", "i", "l", "m", "nul", "e", "b", "nested", "sl", "big", "neg", "str_n"]
MACHINE_FIELDS = ["Name", "Uuid", "Address", "Arch", "Profiles", "Meta", "Missing", "CurrentTask",
                  "UUID", "ShortName", "HexAddress", "Path"]
WORDS = ["a", "b", "x", "y", "k", "", " ", "a,b", "1", "1.5", "hello", "A b", "<&>", "%d", "%s",
         "%v", "%5.2f", "%q", "%x", "%T", "_0", "1.2.3", ">=1.0", "^1.2", "m", "l", "s", "Name", ","]
EXPANDS = ["{{.Machine.Name}}", "x{{1}}", "{{.Param \"s\"}}", "{{if}}", "{{.Bad}}", "plain", "{{template \"inc\" .}}"]
URLS = ["http://a.b:80/x", "https://h/p?q", "/rel/path", "::bad", "ftp://u@h:21", "noscheme.com/x"]
VERBS = ["%d", "%s", "%v", "%q", "%x", "%5d", "%-4s|", "%05d", "%.2f", "%t", "%e", "%g", "%T", "%%",
         "%c", "%+d", "%8.3f", "%X", "%o", "%b", "%#v", "%U", "%10v|", "%.1s", "%!", "%"]


class Gen:
    def __init__(self, rnd):
        self.r = rnd
        self.vars = []
        self.range_depth = 0
        self.defines = []

    def ch(self, xs):
        return self.r.choice(xs)

    def data(self):
        r = self.r
        def scalar():
            return self.ch([r.randint(-5, 10), r.choice([0, 1, 2, 1000000, 123456789, 1e21, 0.5, 2.5, -0.0, 1e-7, 3.0]),
                            self.ch(WORDS), True, False, None])
        def val(d=0):
            k = r.random()
            if d < 2 and k < 0.2:
                return [val(d + 1) for _ in range(r.randint(0, 3))]
            if d < 2 and k < 0.35:
                return {self.ch(["a", "b", "c", "k", "Z", ""]): val(d + 1) for _ in range(r.randint(0, 3))}
            if r.random() < 0.1:
                return self.ch(EXPANDS + ["a: b", "- x", "true", "null", "~", "multi\nline", "trail\n", "#c", "x: y: z"])
            return scalar()
        params = {"s": "hello", "n": 1000000, "f": 1.5, "i": 3, "l": ["a", "b"], "m": {"a": 1, "b": "x"},
                  "nul": None, "e": "", "b": True, "nested": {"k": [1, {"x": "y"}]}, "sl": [1, 2.5, "3"],
                  "big": 12345678, "neg": -2, "str_n": "42"}
        for _ in range(r.randint(0, 4)):
            params[self.ch(PARAM_NAMES)] = val()
        machine = {"Name": self.ch(["n1.example.com", "solo", ""]), "Uuid": self.ch(["u-1", "abc", 5]),
                   "Address": self.ch(["10.0.0.1", "fe80::1", "bad", "::ffff:1.2.3.4"]), "Arch": "amd64",
                   "Profiles": self.ch([["p1"], [], ["p1", 2]]), "Meta": {"feature-flags": self.ch(["a, b", "", "x"])},
                   "CurrentTask": r.randint(-1, 3)}
        if r.random() < 0.05:
            machine = None
        return params, machine

    def const(self):
        r = self.r
        k = r.random()
        if k < 0.3:
            return str(r.randint(-3, 12))
        if k < 0.45:
            return self.ch(["1.5", "1e6", "0x10", "1_0", "'a'", "2.0", "-1", "1e21", "0.1", "07", "0b11",
                            "'\\n'", "0x1p-2", "1e100", "99999999999999999999", "-0", "+5", "0o17", "1.e3"])
        if k < 0.8:
            s = self.ch(WORDS + VERBS)
            return json.dumps(s) if r.random() < 0.9 else "`" + s.replace("`", "") + "`"
        return self.ch(["true", "false", "nil"])

    def printf_format(self):
        r = self.r
        if r.random() < 0.5:
            return "".join(self.ch(VERBS + ["-", " ", "x"]) for _ in range(r.randint(1, 3)))
        s = ""
        for _ in range(r.randint(1, 3)):
            s += "%" + "".join(r.sample("+-# 0", r.randint(0, 2))) + self.ch(["", "5", "12", "1", "0", "*"])
            s += self.ch(["", ".2", ".0", ".10", ".*", "."]) + self.ch(list("vdsqxXofeEgGtcbTU%")) + self.ch(["", "|", " "])
        return s

    def operand(self, d):
        r = self.r
        k = r.random()
        if k < 0.2:
            return self.const()
        if k < 0.23:
            return self.ch(['(split "," "a,b")', "(until 3)", '(index "AB" 1)', '(splitList "," "x,y")', "(add 1 2)",
                            '(dict "a" (dict "b" 1))', "(list)", '(semver "1.2.3")', '(fromJson "{\\"a\\":[1]}")'])
        if k < 0.35:
            return f'(.Param "{self.ch(PARAM_NAMES + ["nope"])}")'
        if k < 0.45:
            f = "." + self.ch(["Machine." + self.ch(MACHINE_FIELDS), "Task.Name", "Env", "Stage", "Machine",
                              "Machine.Meta.feature-flags", "Machine.Profiles", "Bogus"])
            return f
        if k < 0.55 and self.vars:
            v = self.ch(self.vars)
            if r.random() < 0.2:
                v += "." + self.ch(["a", "b", "x", "Name", "k"])
            return v
        if k < 0.62:
            return self.ch([".", "$"]) if r.random() < 0.3 else "."
        if k < 0.7:
            return self.ch(['.ParamExists "' + self.ch(PARAM_NAMES + ["nope"]) + '"', ".ApiURL", ".ProvisionerURL",
                            ".GenerateToken", ".ProvisionerAddress", '.ParamAsJSON "' + self.ch(PARAM_NAMES) + '"',
                            '.Machine.HasProfile "p1"', '.Machine.HasFeature "a"', ".Machine.UUID",
                            '.ParamAsYAML "' + self.ch(PARAM_NAMES) + '"', '.ParamExpand "' + self.ch(PARAM_NAMES) + '"',
                            '.StringExpand ' + json.dumps(self.ch(EXPANDS)), '.ParseURL "host" ' + json.dumps(self.ch(URLS)),
                            '(.Param "' + self.ch(PARAM_NAMES) + '").' + self.ch(["a", "k", "x"])])
        if d < 3:
            return "(" + self.pipeline(d + 1) + ")"
        return self.const()

    def command(self, d, first):
        r = self.r
        if r.random() < 0.55:
            name = self.ch(list(FUNCS))
            lo, hi = FUNCS[name]
            n = r.randint(lo, hi)
            if not first and n > 0 and r.random() < 0.7:
                n -= 1  # the piped value supplies the last argument
            if name == "printf" and n > 0:
                args = [json.dumps(self.printf_format())]
                args += [self.operand(d) for _ in range(n - 1)]
            else:
                args = [self.operand(d) for _ in range(n)]
            return " ".join([name] + args)
        return self.operand(d)

    def pipeline(self, d=0):
        r = self.r
        cmds = [self.command(d, True)]
        while r.random() < 0.25 and len(cmds) < 3:
            cmds.append(self.command(d, False))
        return " | ".join(cmds)

    def action(self, d):
        r = self.r
        k = r.random()
        lt = self.ch(["{{", "{{", "{{- ", "{{  ", "{{\n"])
        rt = self.ch(["}}", "}}", " -}}", "  }}", "\n}}"])
        if k < 0.45 or d > 2:
            if r.random() < 0.15:
                name = f"$v{len(self.vars)}"
                if self.vars and r.random() < 0.3:
                    return f"{lt}{self.ch(self.vars)} = {self.pipeline()}{rt}"
                self.vars.append(name)
                return f"{lt}{name} := {self.pipeline()}{rt}"
            return f"{lt}{self.pipeline()}{rt}"
        if k < 0.6:
            saved = list(self.vars)
            s = f"{lt}if {self.pipeline()}{rt}{self.body(d + 1)}"
            if r.random() < 0.3:
                s += f"{{{{else if {self.pipeline()}}}}}{self.body(d + 1)}"
            elif r.random() < 0.03:
                s += f"{{{{else with {self.pipeline()}}}}}{self.body(d + 1)}"
            if r.random() < 0.5:
                s += f"{{{{else}}}}{self.body(d + 1)}"
            self.vars = saved
            return s + "{{end}}"
        if k < 0.75:
            saved = list(self.vars)
            decl = ""
            if r.random() < 0.5:
                n = len(self.vars)
                if r.random() < 0.5:
                    decl = f"$i{n}, $e{n} := "
                    self.vars += [f"$i{n}", f"$e{n}"]
                else:
                    decl = f"$e{n} := "
                    self.vars.append(f"$e{n}")
            src = self.ch(['(.Param "l")', '(.Param "m")', '(.Param "sl")', '(.Param "nested")', "(list 1 2 3)",
                           '(split "," "a,b")', "(until 3)", '(.Param "nul")', ".Machine.Profiles", '(dict "b" 1 "a" 2)',
                           '(.Param "s")', "(.Param \"" + self.ch(PARAM_NAMES) + "\")"])
            self.range_depth += 1
            body = self.body(d + 1)
            self.range_depth -= 1
            s = f"{lt}range {decl}{src}{rt}{body}"
            if r.random() < 0.3:
                s += f"{{{{else}}}}{self.body(d + 1)}"
            self.vars = saved
            return s + "{{end}}"
        if k < 0.85:
            saved = list(self.vars)
            s = f"{lt}with {self.pipeline()}{rt}{self.body(d + 1)}"
            if r.random() < 0.3:
                s += f"{{{{else}}}}{self.body(d + 1)}"
            self.vars = saved
            return s + "{{end}}"
        if k < 0.9 and self.range_depth > 0:
            return self.ch(["{{break}}", "{{continue}}"])
        if k < 0.95 and self.defines:
            return f'{{{{template "{self.ch(self.defines)}" {self.pipeline()}}}}}'
        if k < 0.97:
            return self.ch(['{{template "inc" .}}', '{{.CallTemplate "inc" .}}', '{{template "nope"}}',
                            '{{.CallTemplate (print "in" "c") (.Param "m")}}', '{{template "inc" (.Param "l")}}'])
        return self.ch(["{{/* c */}}", "{{- /* c */ -}}", " {{- 1 -}} "])

    def body(self, d):
        r = self.r
        parts = []
        for _ in range(r.randint(0, 3)):
            if r.random() < 0.4:
                parts.append(self.ch(["x", " ", "\n", "  y\n", "-", "\t", "{{\"{{\"}}", "{{`a\nb`}}", "}}", "é"]))
            else:
                parts.append(self.action(d))
        return "".join(parts)

    def template(self):
        r = self.r
        text = ""
        for i in range(r.randint(0, 2)):
            saved = list(self.vars)
            self.vars = []
            name = f"d{i}"
            text += f'{{{{define "{name}"}}}}{self.body(1)}{{{{end}}}}'
            self.vars = saved
            self.defines.append(name)
        text += self.body(0)
        if r.random() < 0.12 and text:
            # Mutate: delete, duplicate or insert a character to exercise parse errors.
            pos = r.randrange(len(text))
            op = r.random()
            if op < 0.4:
                text = text[:pos] + text[pos + 1:]
            elif op < 0.7:
                text = text[:pos] + self.ch(list("{}()|$.\"'`-: ,=")) + text[pos:]
            else:
                text = text[:pos] + text[pos] + text[pos:]
        return text


def make_case(seed):
    g = Gen(random.Random(seed))
    params, machine = g.data()
    inc = g.ch(["inc:{{.Machine.Name}}", "{{if .}}t{{else}}f{{end}}", "{{.Param \"s\"}}", "{{.Bad}}"])
    main = g.template()
    return {"templates": {"main": main, "inc": inc}, "main": "main", "params": params, "machine": machine,
            "task": {"Name": "t"}, "env": {"Name": "e"}, "stage": None,
            "apiURL": "https://10.0.0.1:8092", "provisionerURL": "http://10.0.0.1:8091"}


def oracle_run(oracle, doc):
    try:
        p = subprocess.run([oracle], input=json.dumps(doc).encode(), capture_output=True, timeout=20)
    except subprocess.TimeoutExpired:
        return {"timeout": True}
    if p.returncode == 0:
        return {"out": p.stdout.decode("utf-8", "replace")}
    if p.returncode != 1:
        return {"crash": p.returncode}
    err = p.stderr.decode("utf-8", "replace")
    return {"err": err[:-1] if err.endswith("\n") else err}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--oracle", default="/tmp/gotmpl-oracle")
    ap.add_argument("--drover", required=True)
    ap.add_argument("-n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--chunk", type=int, default=2000)
    ap.add_argument("--jobs", type=int, default=3)
    ap.add_argument("--max-report", type=int, default=20)
    a = ap.parse_args()
    diffs = skipped = done = 0
    for base in range(0, a.n, a.chunk):
        seeds = [a.seed * 10_000_000 + i for i in range(base, min(a.n, base + a.chunk))]
        docs = [make_case(s) for s in seeds]
        with ThreadPoolExecutor(a.jobs) as ex:
            gos = list(ex.map(lambda d: oracle_run(a.oracle, d), docs))
        batch = "".join(json.dumps(d) + "\n" for d in docs).encode()
        p = subprocess.run([a.drover, "template", "render", "--batch"], input=batch, capture_output=True, timeout=600)
        drs = [json.loads(l) for l in p.stdout.decode().splitlines()]
        if len(drs) != len(docs):
            sys.exit(f"drover batch returned {len(drs)} results for {len(docs)} docs: {p.stderr.decode()[:500]}")
        for seed, doc, go, dr in zip(seeds, docs, gos, drs):
            done += 1
            if "timeout" in go or "crash" in go or dr.pop("opaque", False) or any(m in go.get("out", "") + go.get("err", "") for m in ("0xc0", "&{map[")):
                skipped += 1
                continue
            if go != dr:
                diffs += 1
                if diffs <= a.max_report:
                    print(f"DIFF seed={seed}\n  tmpl {json.dumps(doc['templates']['main'])}\n  go   {json.dumps(go)[:400]}\n  drv  {json.dumps(dr)[:400]}")
        print(f"... {done} cases, {diffs} differences, {skipped} skipped", file=sys.stderr, flush=True)
    print(f"RESULT: {done} cases, {diffs} differences, {skipped} skipped (non-deterministic in Go)")
    sys.exit(1 if diffs else 0)


if __name__ == "__main__":
    main()
