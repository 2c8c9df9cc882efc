#!/usr/bin/env python3
"""Renders a `parsim predict --timeline` Chrome trace as an SVG picture (scripts/timeline-png.sh
turns it into docs/img/*.png with headless chromium).

One row per GPU (its compute stream: GEMMs, attention, the rest), a thin row under it for its
communication kernels (TP all-reduces, PP sends and receives), and one row per PP link (the
transfers on the fabric). Empty stretches of a compute row are the time that GPU waited: the
pipeline's bubbles. PP receive kernels are not drawn (they span the wait, not the transfer). Deterministic: the same trace gives the same bytes.

usage: timeline-svg.py TRACE.json OUT.svg [--title TEXT] [--until-ms T]
"""
import argparse
import json
import sys
from xml.sax.saxutils import escape

COLORS = {  # by op kind (args.op_kind) or communication kind
    "gemm": "#3b6fb6",
    "attention": "#e08a2c",
    "allreduce": "#c8352e",
    "send": "#3a9a4a",
    "recv": "#7cc47f",
    "link": "#3a9a4a",
    "other": "#9aa3ad",
}
LEGEND = [("GEMM", "gemm"), ("attention", "attention"), ("other kernels", "other"),
          ("TP all-reduce", "allreduce"), ("PP send", "send"), ("PP link transfer", "link")]


def kind_of(ev):
    cat = ev.get("cat", "")
    args = ev.get("args", {})
    if cat == "link":
        return "link"
    if cat == "collective_comm":
        c = args.get("collective", "")
        if c in ("send", "recv"):
            return c
        return "allreduce"
    k = args.get("op_kind", "")
    return k if k in ("gemm", "attention") else "other"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("trace")
    ap.add_argument("out")
    ap.add_argument("--title", default="parsim predict --timeline")
    ap.add_argument("--until-ms", type=float, default=0)
    a = ap.parse_args()
    with open(a.trace) as f:
        data = json.load(f)
    events = data["traceEvents"] if isinstance(data, dict) else data
    pname = {e["pid"]: e["args"]["name"] for e in events if e.get("ph") == "M" and e["name"] == "process_name"}
    tname = {(e["pid"], e["tid"]): e["args"]["name"] for e in events
             if e.get("ph") == "M" and e["name"] == "thread_name"}
    # a PP receive kernel is resident from when it is posted until its data arrived, so it spans
    # the wait; the transfer itself is on the link rows and the sender's row: receives are left out
    xs = [e for e in events if e.get("ph") == "X" and kind_of(e) != "recv"]
    if not xs:
        sys.exit("timeline-svg: %s has no events" % a.trace)
    end_us = max(e["ts"] + e["dur"] for e in xs)
    if a.until_ms > 0:
        end_us = min(end_us, a.until_ms * 1e3)
    ranks = sorted({e["pid"] for e in xs if e.get("cat") != "link"})
    links = sorted({e["tid"] for e in xs if e.get("cat") == "link"})
    # rows: (label, height, filter)
    rows = []
    for r in ranks:
        label = pname.get(r, "rank %d" % r).replace("predicted ", "").split(" (")[0].replace("rank", "GPU")
        rows.append((label, 18, lambda e, r=r: e["pid"] == r and e.get("cat") == "kernel"))
        rows.append(("", 7, lambda e, r=r: e["pid"] == r and e.get("cat") == "collective_comm"))
    for t in links:
        lp = next(e["pid"] for e in xs if e.get("cat") == "link" and e["tid"] == t)
        rows.append(("link " + tname.get((lp, t), str(t)), 8, lambda e, t=t: e.get("cat") == "link" and e["tid"] == t))
    left, right, top, gap = 150, 20, 48, 3
    width = 1200
    plot_w = width - left - right
    height = top + sum(h + gap for _, h, _ in rows) + 60
    sx = plot_w / end_us
    out = []
    out.append('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
               'font-family="DejaVu Sans, sans-serif" font-size="11" shape-rendering="crispEdges">' % (width, height, width, height))
    out.append('<rect width="100%" height="100%" fill="white"/>')
    out.append('<text x="%d" y="20" font-size="14" font-weight="bold">%s</text>' % (left, escape(a.title)))
    y = top
    for label, h, keep in rows:
        if label:
            out.append('<text x="%d" y="%.1f" text-anchor="end">%s</text>' % (left - 6, y + h - 5, escape(label)))
        out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="#f3f4f6"/>' % (left, y, plot_w, h))
        for e in sorted((e for e in xs if keep(e)), key=lambda e: (e["ts"], e["dur"])):
            if e["ts"] >= end_us:
                continue
            x0 = left + e["ts"] * sx
            w = max(min(e["ts"] + e["dur"], end_us) - e["ts"], 0) * sx
            k = kind_of(e)
            if k in ("send", "link"):
                w = max(w, 1.0)  # a short hand-off is still drawn (1 px)
            elif w < 0.05:
                continue
            # all-reduces keep their true width, antialiased: a pale row means a small share of time
            aa = ' shape-rendering="auto"' if k == "allreduce" else ""
            out.append('<rect x="%.2f" y="%d" width="%.2f" height="%d" fill="%s"%s/>' % (x0, y, w, h, COLORS[k], aa))
        y += h + gap
    # time axis
    out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (left, y + 2, left + plot_w, y + 2))
    step_ms = 10 ** len(str(int(end_us / 1e3 / 8))) / 10 if end_us > 8e3 else 1
    for mult in (1, 2, 5, 10):
        if end_us / 1e3 / (step_ms * mult) <= 10:
            step_ms *= mult
            break
    t = 0.0
    while t * 1e3 <= end_us + 1e-9:
        x = left + t * 1e3 * sx
        out.append('<line x1="%.2f" y1="%d" x2="%.2f" y2="%d" stroke="black"/>' % (x, y + 2, x, y + 6))
        out.append('<text x="%.2f" y="%d" text-anchor="middle">%g ms</text>' % (x, y + 18, t))
        t += step_ms
    lx = left
    ly = y + 40
    for name, k in LEGEND:
        out.append('<rect x="%d" y="%d" width="12" height="10" fill="%s"/>' % (lx, ly - 9, COLORS[k]))
        out.append('<text x="%d" y="%d">%s</text>' % (lx + 16, ly, escape(name)))
        lx += 30 + 7 * len(name)
    out.append("</svg>")
    with open(a.out, "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
