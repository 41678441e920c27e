"""Comparing answers across systems and writing the results table and RESULTS.md."""
from common import *  # noqa: F401,F403
from common import Q  # noqa: F401

_TS = re.compile(r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?Z?$")


def to_ms(v):
    if v is None:
        return None
    if isinstance(v, (int, float)):
        return int(v)
    s = str(v)
    if s.lstrip("-").isdigit():
        return int(s)
    m = _TS.match(s)
    if not m:
        raise ValueError(f"not a timestamp: {s!r}")
    y, mo, d, h, mi, se, frac = m.groups()
    base = int(dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(se),
                           tzinfo=dt.timezone.utc).timestamp()) * 1000
    return base + (int((frac or "0")[:3].ljust(3, "0")))


def normalize(kinds, rows):
    out = []
    for r in rows:
        if len(r) != len(kinds):
            raise ValueError(f"expected {len(kinds)} columns, got {len(r)}: {r}")
        n = []
        for k, v in zip(kinds, r):
            if v is None:
                n.append(None)
            elif k == "t":
                n.append(to_ms(v))
            elif k == "i":
                n.append(int(float(v)))
            elif k == "s":
                n.append(str(v))
            else:
                n.append(float(v))
        out.append(tuple(n))
    out.sort(key=lambda t: tuple((x is None, x if x is not None else 0) for x in t))
    return out


TOL = {"f": 1e-6, "p": 0.01, "d": 0.032}


def compare(kinds, ref, got):
    """None when equal, else a short reason."""
    if len(ref) != len(got):
        return f"{len(got)} rows, expected {len(ref)}"
    for i, (a, b) in enumerate(zip(ref, got)):
        for k, x, y in zip(kinds, a, b):
            if k in TOL and x is not None and y is not None:
                if abs(x - y) > TOL[k] * max(1.0, abs(x)):
                    return f"row {i}: {b} vs expected {a}"
            elif x != y:
                return f"row {i}: {b} vs expected {a}"
    return None


# ---------------------------------------------------------------------------------- running



def fmt_ms(s):
    ms = s * 1000
    return f"{ms:.0f}" if ms >= 100 else f"{ms:.1f}" if ms >= 1 else f"{ms:.2f}"


def mb(n):
    return f"{n / 1e6:,.0f} MB" if n is not None else "n/a"


def machine():
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem = int(f.readline().split()[1]) * 1024
    return {"nproc": os.cpu_count(), "mem": mem, "cpu": cpu, "kernel": platform.release()}


def analyse(result, rows):
    """Per query: reference answer, agreement of every system, best peer and ratio."""
    out = []
    ok = True
    for q in Q.QUERIES:
        qid = q["id"]
        ref_sys = next((p for p in PEERS if "norm" in result[p]["queries"][qid]), None)
        row = {"q": q, "agree": {}, "notes": []}
        if ref_sys is None:
            ok = False
            row["notes"].append("no peer answered")
        ref = result[ref_sys]["queries"][qid]["norm"] if ref_sys else None
        for s in SYSTEMS:
            qr = result[s]["queries"][qid]
            if "error" in qr:
                row["agree"][s] = "error"
                if s != "calypso":
                    ok = False
                continue
            diff = compare(q["kinds"], ref, qr["norm"]) if ref is not None else "no reference"
            row["agree"][s] = "yes" if diff is None else "NO"
            if diff is not None:
                ok = False
                row["notes"].append(f"{s} differs from {ref_sys}: {diff}")
        peers = [(statistics.median(result[p]["queries"][qid]["warm"]), p) for p in PEERS
                 if "warm" in result[p]["queries"][qid]]
        row["best"] = min(peers) if peers else None
        cq = result["calypso"]["queries"][qid]
        if "warm" in cq and row["best"]:
            row["ratio"] = statistics.median(cq["warm"]) / row["best"][0]
        out.append(row)
    return out, ok


def cell(qr):
    if "error" in qr:
        return "error"
    w = qr["warm"]
    return f"{fmt_ms(statistics.median(w))} [{fmt_ms(min(w))}–{fmt_ms(max(w))}] cold {fmt_ms(qr['cold'])}"


def size(n):
    if n is None:
        return "n/a"
    return f"{n / 1e3:,.0f} kB" if n < 1e6 else f"{n / 1e6:,.1f} MB"


def scan_section(result, analysis):
    """What Calypso's store read per query: blocks skipped by time, min/max and term
    filters, and bytes read against the bytes the queried tables take on disk."""
    c = result.get("calypso", {})
    sizes = c.get("table_bytes") or {}
    table = sum(sizes.get(t, 0) for t in ("AppTraces", "traces")) or None
    out = ["## What Calypso read\n",
           "From the query statistics (`Prefer: include-statistics=true`). Cold = first run after "
           "a restart (the store's block cache is empty); warm = last run (blocks served from the "
           "cache count as touched). Percentages are of the `traces` table's "
           f"{size(table)} on disk (queries on customMetrics too touch more than that table).\n",
           "| query | blocks read / total (cold) | bytes read (cold) | % of traces | bytes touched (warm) |",
           "|---|---|---|---|---|"]
    for a in analysis:
        qr = c.get("queries", {}).get(a["q"]["id"], {})
        scan = qr.get("scan")
        if not scan or not scan.get("cold"):
            continue
        cold, warm = scan["cold"], scan.get("warm") or {}
        read = cold.get("bytesRead", 0)
        pct = f"{100 * read / table:.2f}%" if table else "?"
        touched = warm.get("bytesRead", 0) + warm.get("bytesCached", 0)
        out.append(f"| {a['q']['id']} | {cold['blocks'] - cold['blocksSkipped']:,} / {cold['blocks']:,} | "
                   f"{size(read)} | {pct} | {size(touched)} |")
    out.append("")
    return out


def render(result, analysis, ok, args, info, files_info, started, elapsed):
    m = info
    lines = []
    lines.append("# Benchmark results: Calypso beside ClickHouse, DuckDB and PostgreSQL\n")
    lines.append(f"Written by `bench/bench.py` on {started} UTC in {elapsed / 60:.1f} minutes. "
                 "Every figure below comes from that one run; rerun with `make bench` "
                 "(see bench/README.md for what is measured and the fairness rules).\n")
    lines.append("## Machine, versions, command\n")
    lines.append(f"- machine: {m['nproc']} CPUs ({m['cpu']}), {m['mem'] / 2**30:.1f} GiB RAM, Linux {m['kernel']}")
    lines.append(f"- command: `{args.command}`")
    lines.append(f"- data: {args.rows:,} traces + {args.rows // 10:,} customMetrics "
                 f"({files_info}), seed fixed, 30 days from 2026-10-01")
    lines.append(f"- runs per query: 1 cold (first after a restart; OS page cache "
                 f"{'dropped' if all(result[s].get('caches_dropped') for s in SYSTEMS) else 'not dropped (not permitted here)'}) "
                 f"+ {args.warm} warm; times in ms, median [min–max]")
    for s in SYSTEMS:
        lines.append(f"- {s}: {result[s].get('version', '?')}")
    lines.append("")
    lines.append("## Ingestion, disk, memory\n")
    lines.append("| system | load time | rows/s | MB/s (input) | bytes on disk | peak RSS (load) | peak RSS (queries) |")
    lines.append("|---|---|---|---|---|---|---|")
    total = args.rows + args.rows // 10
    for s in SYSTEMS:
        r = result[s]
        if "load_s" not in r:
            lines.append(f"| {s} | failed: {r.get('failed', '?')} | | | | | |")
            continue
        lines.append(f"| {s} | {r['load_s']:.1f} s | {total / r['load_s']:,.0f} | "
                     f"{r['load_bytes'] / r['load_s'] / 1e6:.1f} | {mb(r['disk'])} | {mb(r['peak_load'])} | "
                     f"{mb(r.get('peak_query'))} |")
    lines.append("")
    for s in SYSTEMS:
        if result[s].get("load_note"):
            lines.append(f"- {s} load: {result[s]['load_note']}")
    lines.append("")
    lines.append("Input bytes: Calypso's are the JSON envelopes it was POSTed; the peers' are the "
                 "TSV files their bulk loaders read (the same rows, keys already extracted).\n")
    lines.append("## Queries\n")
    lines.append("| query | " + " | ".join(SYSTEMS) + " | best peer | Calypso ÷ best | answers agree |")
    lines.append("|---|" + "---|" * (len(SYSTEMS) + 3))
    for a in analysis:
        q = a["q"]
        cells = [cell(result[s]["queries"][q["id"]]) for s in SYSTEMS]
        best = f"{a['best'][1]} {fmt_ms(a['best'][0])}" if a["best"] else "none"
        cq = result["calypso"]["queries"][q["id"]]
        ratio = f"**{a['ratio']:.2f}×**" if "ratio" in a else f"error: {cq.get('error', '?')}"
        agree = " ".join(("✓" if a["agree"][s] == "yes" else "✗" if a["agree"][s] == "NO" else "err")
                         for s in SYSTEMS)
        lines.append(f"| {q['id']}: {q['title']} | " + " | ".join(cells) + f" | {best} | {ratio} | {agree} |")
    lines.append("")
    lines.append("Agreement column: one mark per system in the order " + ", ".join(SYSTEMS) +
                 " (✓ same answer as the reference peer, ✗ different, err = the query failed). "
                 "Ratios below 1 mean Calypso is faster than the best peer.\n")
    lines += scan_section(result, analysis)
    errs = [(a["q"]["id"], s, result[s]["queries"][a["q"]["id"]]["error"]) for a in analysis
            for s in SYSTEMS if "error" in result[s]["queries"][a["q"]["id"]]]
    notes = [n for a in analysis for n in a["notes"]]
    lines.append("## Errors and disagreements\n")
    if not errs and not notes:
        lines.append("None: every system answered every query, and all answers agreed.\n")
    for qid, s, e in errs:
        lines.append(f"- {qid}: {s}: error: `{e}`")
    for n in notes:
        lines.append(f"- {n}")
    lines.append("")
    lines.append(f"Verdict: **{'PASS' if ok else 'FAIL'}** — every supported answer agreed "
                 f"(Calypso errors are reported above and do not fail the run; wrong answers and peer failures do).\n")
    lines.append("## The queries\n")
    for q in Q.QUERIES:
        lines.append(f"### {q['id']}: {q['title']}\n")
        lines.append("```kql\n" + q["kql"] + "\n```\n")
        for s in PEERS:
            lines.append(f"{s}:\n```sql\n{q[s]}\n```\n")
    note = os.path.join(HERE, "analysis.md")
    if os.path.exists(note):
        lines.append(open(note).read())
    return "\n".join(lines)


def print_table(result, analysis):
    w = 30
    hdr = f"{'query':<{w}}" + "".join(f"{s:>14}" for s in SYSTEMS) + f"{'best peer':>22}{'ratio':>9}  agree"
    print("\nwarm median ms (cold ms in parentheses below)")
    print(hdr)
    print("-" * len(hdr))
    for a in analysis:
        qid = a["q"]["id"]
        cells = []
        for s in SYSTEMS:
            qr = result[s]["queries"][qid]
            cells.append(f"{'error' if 'error' in qr else fmt_ms(statistics.median(qr['warm'])):>14}")
        best = f"{a['best'][1]} {fmt_ms(a['best'][0])}" if a["best"] else "none"
        ratio = f"{a['ratio']:.2f}x" if "ratio" in a else "error"
        agree = " ".join(("ok" if a["agree"][s] == "yes" else "NO" if a["agree"][s] == "NO" else "err")
                         for s in SYSTEMS)
        print(f"{qid:<{w}}" + "".join(cells) + f"{best:>22}{ratio:>9}  {agree}")
        print(f"{'':<{w}}" + "".join(
            f"{'' if 'error' in result[s]['queries'][qid] else '(' + fmt_ms(result[s]['queries'][qid]['cold']) + ')':>14}"
            for s in SYSTEMS))
    for a in analysis:
        cq = result["calypso"]["queries"][a["q"]["id"]]
        if "error" in cq:
            print(f"calypso {a['q']['id']}: error: {cq['error']}")
        for n in a["notes"]:
            print(f"{a['q']['id']}: {n}")


