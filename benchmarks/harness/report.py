#!/usr/bin/env python3
"""Turns one load-harness run into a report: summary.md and PNG charts in the run's folder.

  report.py DIR      DIR holds runs.jsonl, notes.jsonl and meta.json written by run.sh

Per scenario a Markdown table with every metric and its ratio to nginx's; per-round rows below it so
the spread between rounds shows. Charts (gnuplot, pngcairo): cpu_per_request.png,
requests_per_second.png, latency.png. Standard library only; without gnuplot the summary is still
written and says the charts are missing."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import OrderedDict

PROXIES = ["egret", "nginx", "haproxy"]
TITLES = {
    "a": "(a) HTTP/1.1 keep-alive, small body, access log on",
    "b": "(b) TLS origination to an HTTPS backend",
    "d": "(d) fixed 1000 requests/s, 1 KB responses",
    "e": "(e) idle keep-alive connections",
}
ISTIO_VCPU_PER_1000 = 0.25   # Istio's published waypoint figure per 1000 requests/s
ISTIO_MB_PER_1000 = 60


def load_lines(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def aggregate(rows):
    """Per proxy: sums over its rounds (CPU per request = all CPU / all requests), mean latencies."""
    out = OrderedDict()
    for p in PROXIES + ["direct"]:
        rs = [r for r in rows if r["proxy"] == p]
        if not rs:
            continue
        req = sum(r["requests"] for r in rs)
        dur = sum(r["duration_us"] for r in rs)
        n = len(rs)
        out[p] = {
            "rounds": n,
            "requests": req,
            "non2xx": sum(r.get("status_errors", 0) for r in rs),
            "errors": sum(r.get(k, 0) for r in rs
                          for k in ("connect_errors", "read_errors", "write_errors", "timeouts")),
            "rps": req * 1e6 / dur if dur else 0.0,
            "p50": sum(r["p50_us"] for r in rs) / n / 1000,
            "p99": sum(r["p99_us"] for r in rs) / n / 1000,
            "p999": sum(r["p999_us"] for r in rs) / n / 1000,
            "cpu_us_per_req": (sum(r["cpu_us"] for r in rs) / req) if req else float("nan"),
            "vcpu": sum(r["cpu_us"] for r in rs) / sum(r["wall_us"] for r in rs),
            "rss_mb": max(r["rss_kb"] for r in rs) / 1024,
        }
    return out


def ratio(v, base):
    if base is None or not base or v != v or base != base:
        return "–"
    return f"{v / base:.2f}×"


def fmt(v, digits=1):
    if v != v:
        return "–"
    return f"{v:,.{digits}f}"


def closed_loop_table(agg, paced=False):
    base = agg.get("nginx")
    cols = [("req/s", "rps", 0), ("p50 ms", "p50", 2), ("p99 ms", "p99", 2), ("p99.9 ms", "p999", 2),
            ("CPU µs/req", "cpu_us_per_req", 1), ("RSS MB", "rss_mb", 0)]
    if paced:
        cols.insert(4, ("vCPU", "vcpu", 3))
    head = "| proxy | rounds | " + " | ".join(f"{c} | × nginx" for c, _, _ in cols) + " | non-2xx | socket errors |"
    lines = [head, "|---|---:|" + "---:|---:|" * len(cols) + "---:|---:|"]
    for p, a in agg.items():
        cells = []
        for _, k, d in cols:
            if p == "direct" and k in ("cpu_us_per_req", "rss_mb", "vcpu"):
                cells += ["–", "–"]
                continue
            cells += [fmt(a[k], d), ratio(a[k], base[k] if base else None)]
        name = "direct (no proxy)" if p == "direct" else p
        lines.append(f"| {name} | {a['rounds']} | " + " | ".join(cells) + f" | {a['non2xx']} | {a['errors']} |")
    return lines


def rounds_table(rows):
    lines = ["| proxy | round | requests | req/s | p50 ms | p99 ms | p99.9 ms | CPU µs/req | RSS MB |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        cpu = r["cpu_us"] / r["requests"] if r["requests"] and r["proxy"] != "direct" else float("nan")
        lines.append(f"| {r['proxy']} | {r['round']} | {r['requests']:,} | "
                     f"{r['requests'] * 1e6 / r['duration_us']:,.0f} | {r['p50_us'] / 1000:.2f} | "
                     f"{r['p99_us'] / 1000:.2f} | {r['p999_us'] / 1000:.2f} | {fmt(cpu)} | "
                     f"{r['rss_kb'] / 1024:.0f} |")
    return lines


def idle_table(rows):
    base = next((r for r in rows if r["proxy"] == "nginx"), None)

    def per_conn(r, a, b):
        return (r[b] - r[a]) / r["ok"] if r.get("ok") else float("nan")

    lines = ["| proxy | connections held | failed | RSS before MB | RSS after MB | RSS KB/conn | × nginx "
             "| heap before MB | heap after MB | heap KB/conn |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        rss = per_conn(r, "rss_before_kb", "rss_after_kb")
        brss = per_conn(base, "rss_before_kb", "rss_after_kb") if base else None
        heap = ["–", "–", "–"]
        if r["proxy"] == "egret":
            heap = [f"{r['heap_before_kb'] / 1024:.1f}", f"{r['heap_after_kb'] / 1024:.1f}",
                    fmt(per_conn(r, "heap_before_kb", "heap_after_kb"), 2)]
        lines.append(f"| {r['proxy']} | {r.get('ok', 0):,} | {r.get('failed', 0):,} | "
                     f"{r['rss_before_kb'] / 1024:.0f} | {r['rss_after_kb'] / 1024:.0f} | {fmt(rss, 2)} | "
                     f"{ratio(rss, brss)} | " + " | ".join(heap) + " |")
    return lines


def targets(aggs, idle):
    """Issue 7 item 4's targets against this run."""
    out = []

    def check(ok):
        return "met" if ok else "**not met**"

    for s in ("a", "b"):
        a = aggs.get(s, {})
        if "egret" in a and "nginx" in a:
            r = a["egret"]["cpu_us_per_req"] / a["nginx"]["cpu_us_per_req"]
            out.append(f"| ({s}) CPU/request ≤ 1.00× nginx | {r:.2f}× | {check(r <= 1.0)} |")
    d = aggs.get("d", {})
    if "egret" in d:
        e = d["egret"]
        out.append(f"| (d) ≤ 0.12 vCPU at 1000 req/s | {e['vcpu']:.3f} vCPU at {e['rps']:,.0f} req/s "
                   f"| {check(e['vcpu'] <= 0.12)} |")
        out.append(f"| (d) ≤ 100 MB RSS | {e['rss_mb']:.0f} MB | {check(e['rss_mb'] <= 100)} |")
        if "direct" in d:
            added = e["p99"] - d["direct"]["p99"]
            out.append(f"| (d) p99 latency added ≤ 1 ms | {added:+.2f} ms (p99 {e['p99']:.2f} ms "
                       f"vs {d['direct']['p99']:.2f} ms direct) | {check(added <= 1.0)} |")
    eg = next((r for r in idle if r["proxy"] == "egret"), None)
    if eg and eg.get("ok"):
        h = (eg["heap_after_kb"] - eg["heap_before_kb"]) / eg["ok"]
        out.append(f"| (e) ≤ 2 KB heap per idle connection | {h:.2f} KB | {check(h <= 2.0)} |")
    if not out:
        return []
    return ["| target (issue 7) | this run | |", "|---|---|---|"] + out


def gnuplot(script, workdir):
    p = subprocess.run(["gnuplot"], input=script, text=True, cwd=workdir,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if p.returncode != 0:
        raise RuntimeError("gnuplot failed: " + p.stderr)


def charts(aggs, out_dir):
    if not shutil.which("gnuplot"):
        return "gnuplot is not installed: no charts (run.sh installs gnuplot-nox)."
    scen = [s for s in ("a", "b", "d") if s in aggs]
    if not scen:
        return "No closed-loop or paced scenario in this run: no charts."
    with tempfile.TemporaryDirectory() as tmp:
        def bars(name, key, ylabel, title, scenarios):
            path = os.path.join(tmp, name + ".dat")
            with open(path, "w") as f:
                f.write("scenario " + " ".join(PROXIES) + "\n")
                for s in scenarios:
                    vals = [aggs[s][p][key] if p in aggs[s] else float("nan") for p in PROXIES]
                    f.write(f"({s}) " + " ".join(f"{v:.3f}" for v in vals) + "\n")
            gnuplot(f"""
set terminal pngcairo size 900,500 font ",11"
set output "{os.path.join(out_dir, name + '.png')}"
set title "{title}"
set ylabel "{ylabel}"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set yrange [0:*]
set grid ytics
set key top left
plot for [i=2:{len(PROXIES) + 1}] "{path}" using i:xtic(1) title columnheader(i)
""", tmp)

        bars("cpu_per_request", "cpu_us_per_req", "proxy CPU µs per request (user + sys)",
             "Proxy CPU per request (lower is better)", scen)
        bars("requests_per_second", "rps", "requests/s", "Requests per second (closed loop; d is paced)",
             scen)
        # latency: one panel per scenario, p50 / p99 / p99.9 per proxy
        panels = []
        for s in scen:
            path = os.path.join(tmp, f"lat_{s}.dat")
            with open(path, "w") as f:
                f.write("proxy p50 p99 p99.9\n")
                for p in list(aggs[s].keys()):
                    a = aggs[s][p]
                    f.write(f"{p} {a['p50']:.3f} {a['p99']:.3f} {a['p999']:.3f}\n")
            panels.append(f"""
set title "{TITLES[s].replace('"', '')}"
plot for [i=2:4] "{path}" using i:xtic(1) title columnheader(i)
""")
        gnuplot(f"""
set terminal pngcairo size {420 * max(1, len(scen))},480 font ",10"
set output "{os.path.join(out_dir, 'latency.png')}"
set multiplot layout 1,{max(1, len(scen))}
set ylabel "latency ms (log scale)"
set logscale y
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set key top left
""" + "".join(panels) + "unset multiplot\n", tmp)
    return None


def main():
    d = os.path.abspath(sys.argv[1])
    rows = [r for r in load_lines(os.path.join(d, "runs.jsonl"))]
    notes = load_lines(os.path.join(d, "notes.jsonl"))
    meta = json.load(open(os.path.join(d, "meta.json"))) if os.path.exists(os.path.join(d, "meta.json")) else {}
    aggs = {s: aggregate([r for r in rows if r["scenario"] == s]) for s in ("a", "b", "d")
            if any(r["scenario"] == s for r in rows)}
    idle = [r for r in rows if r["scenario"] == "e"]
    missing = charts(aggs, d)

    meta["egret"] = re.sub(r" running .*$", "", meta.get("egret", ""))
    md = [f"# Load harness: Egret, nginx, HAProxy — {meta.get('date_utc', '')}", ""]
    md += [f"Machine: {meta.get('cpu_model', '?')}, **{meta.get('cpus', '?')} CPUs**, "
           f"{meta.get('memory_gib', '?')} GiB, Linux {meta.get('kernel', '?')}. "
           f"{meta.get('java', '')}; Egret `{meta.get('egret', '')}` with `{meta.get('egret_java_opts', '') or '(JVM defaults)'}`; "
           f"nginx {meta.get('nginx', '')}; {meta.get('haproxy', '')}; {meta.get('wrk', '')}.", ""]
    md += [f"Pinning (`taskset`): the proxy under test on CPU {meta.get('proxy_cpus')}, wrk (one thread) and the "
           f"backend (nginx, one worker, access log off) on CPU {meta.get('load_cpus')}. Every proxy runs one "
           "worker (nginx `worker_processes 1`, HAProxy `nbthread 1`, Egret's event loops = its available "
           "CPUs = 1; with one CPU visible the JVM also picks the Serial GC), HTTP/1.1 keep-alive to the backend, access log on to a file. Runs alternate "
           f"egret, nginx, haproxy × {meta.get('rounds')} rounds of {meta.get('duration_s')} s after a "
           f"{meta.get('warmup_s')} s warmup each; the whole run took {meta.get('total_seconds', '?')} s "
           f"(load average afterwards {meta.get('load_average_after', '?')}).", ""]
    md += ["**Caveat: 2 cores for everything.** The load generator and the backend share one core, so in the "
           "closed-loop scenarios that core, not the proxy, often sets the request rate; requests/s and "
           "latency compare the proxies under the same client, not their ceilings. CPU µs per request is "
           "the proxy's own user + sys time (all its processes and threads, /proc/PID/stat) over the run "
           "divided by the requests wrk completed — it is the fairest number here. RSS is summed over the "
           "proxy's processes at the end of a run (largest over rounds). Other work on the machine "
           "adds noise.", ""]
    try:
        busy = float(str(meta.get("load_average_after", "0")).split()[1]) > float(meta.get("cpus", 1)) + 1
    except (IndexError, ValueError):
        busy = False
    if busy:
        md += [f"**This run shared the machine:** the 5-minute load average ({meta['load_average_after'].split()[1]}) "
               f"was well above its {meta.get('cpus')} CPUs (the harness itself keeps about 2 busy), so other "
               "processes were queued beside the harness. Tail latencies (p99, p99.9) mostly measure that queueing, for all three "
               "proxies; CPU µs per request is much less affected, since it counts only the proxy's own CPU "
               "time.", ""]
    if missing:
        md += [missing, ""]
    tgt = targets(aggs, idle)
    if tgt:
        md += ["## Targets", ""] + tgt + [""]
    for s in ("a", "b", "d"):
        if s not in aggs:
            continue
        md += [f"## {TITLES[s]}", ""]
        md += closed_loop_table(aggs[s], paced=(s == "d")) + [""]
        if s == "d" and "egret" in aggs[s]:
            e = aggs[s]["egret"]
            per1000 = e["vcpu"] * 1000 / e["rps"] if e["rps"] else float("nan")
            md += [f"Egret at {e['rps']:,.0f} req/s: **{e['vcpu']:.3f} vCPU** (CPU seconds / wall seconds; "
                   f"{per1000:.3f} per 1000 req/s) and **{e['rss_mb']:.0f} MB RSS**, against Istio's published "
                   f"waypoint figure of {ISTIO_VCPU_PER_1000} vCPU and {ISTIO_MB_PER_1000} MB per 1000 req/s: "
                   f"{per1000 / ISTIO_VCPU_PER_1000:.2f}× the CPU, {e['rss_mb'] / ISTIO_MB_PER_1000:.2f}× the "
                   "memory. (Istio's figure is for its Envoy waypoint with its full filter chain and mTLS; this "
                   "is plain HTTP/1.1 with one route and an access log.) wrk paces the requests over 16 "
                   "connections (`delay()` hook); the direct row is wrk against the backend with no proxy, "
                   "the baseline for latency added.", ""]
        md += ["<details><summary>rounds</summary>", ""] + rounds_table(
            [r for r in rows if r["scenario"] == s]) + ["", "</details>", ""]
    if idle:
        md += [f"## {TITLES['e']}", ""]
        md += [f"{meta.get('idle_connections', 10000):,} connections opened by a Python client "
               "(`idle_conns.py`), one GET answered on each, then held idle. Per connection = (after − before) / "
               "connections held. Heap is Egret's used heap after a full GC (`jcmd GC.run`, then "
               "`GC.heap_info`); RSS includes Netty's direct buffers and the JVM's own memory.", ""]
        md += idle_table(idle) + [""]
    if notes:
        md += ["## Access logs and errors", "",
               "| scenario | proxy | access-log lines written | Egret log entries dropped | Egret warning/error lines |",
               "|---|---|---:|---:|---:|"]
        for n in notes:
            md.append(f"| {n['scenario']} | {n['proxy']} | {n['access_log_lines']:,} | "
                      f"{'–' if n['egret_log_dropped'] is None else n['egret_log_dropped']} | "
                      f"{n['egret_warning_lines'] if n['proxy'] == 'egret' else '–'} |")
        md += ["", "Access-log lines include the warmup's requests. Egret's warnings, when any, are in "
               "`egret-warnings-<scenario>.log` beside this file.", ""]
    md += ["Scenario (c), HBONE, is not measured: Egret has no HBONE server yet. Scenario (a)'s \"one request "
           "header added\" is left out for all three proxies: Egret does not implement "
           "`request_headers_to_add` yet. All three do add a request id (`x-request-id`: Egret generates "
           "it, nginx sends `$request_id`, HAProxy `unique-id-header`).", ""]
    if not missing:
        md += ["## Charts", "", "![CPU per request](cpu_per_request.png)", "",
               "![Requests per second](requests_per_second.png)", "", "![Latency](latency.png)", ""]
    with open(os.path.join(d, "summary.md"), "w") as f:
        f.write("\n".join(md))


if __name__ == "__main__":
    main()
