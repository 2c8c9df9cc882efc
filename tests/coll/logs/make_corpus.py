#!/usr/bin/env python3
"""Writes the nccl-tests log corpus of tests/coll/logs/ and the exact reading expected of each.

The logs are synthetic: written for parsim, in the layouts public nccl-tests / rccl-tests logs
have (GitHub issues of NVIDIA/nccl-tests, NVIDIA/nccl, ROCm/rccl and cluster repositories:
old releases without root or redop columns, mpirun --tag-output, Intel MPI "[0]" prefixes
with NCCL_DEBUG lines in the middle of rows, srun --label, ssh/srun/container noise, cluster
scripts running several tests, rccl-tests, 16-64 GPU multi-node runs, excerpts, failures,
interleaved runs). No third-party file is copied; the numbers are made up (plausible).

Each NAME.log has NAME.expect: one or more "run gpus=N" blocks (N = the --gpus given, 0 none)
followed by the dump test_coll_logs prints for that reading:
    test S line L op NAME modelled 0|1 gpus G gpt G type T zero Z rows R
    SIZE TIME          (one per row: bytes, out-of-place time in us, as %.10g)
or "error: MESSAGE" for a refused log. The expectation is computed here from the numbers this
script prints into the log, independently of the reader under test.

Run from the repository root: python3 tests/coll/logs/make_corpus.py (deterministic).
"""
import os

OUT = os.path.dirname(os.path.abspath(__file__))


def fmt_time(us):
    """nccl-tests: %7.2f below 10 ms, %7.1f below 100 ms, %7.0f above (src/common.cu)."""
    if us >= 100000:
        return "%7.0f" % us
    if us >= 10000:
        return "%7.1f" % us
    return "%7.2f" % us


def g(x):
    s = "%.10g" % x
    return s


class Test:
    """One nccl-tests run: op, ranks, sizes and the times printed for them."""

    def __init__(self, op, gpus, type_name="float", type_bytes=4, redop="sum", root=-1,
                 sizes=None, base_us=20.0, gbps=100.0, per_rank_count=False, gpt=1):
        self.op, self.gpus, self.type_name, self.tb = op, gpus, type_name, type_bytes
        self.redop, self.root, self.gpt = redop, root, gpt
        self.per_rank = per_rank_count
        self.sizes = sizes if sizes is not None else [8 << (2 * i) for i in range(12)]
        self.rows = []  # (size, count, oop_time_str, oop_algbw, ip_time_str, ip_algbw)
        for s in self.sizes:
            unit = self.tb * (self.gpus if self.per_rank else 1)
            count = s // unit
            size = count * unit
            t = base_us + size / (gbps * 1e3)
            ti = t * 0.98
            self.rows.append((size, count if not self.per_rank else count, fmt_time(t),
                              size / (t * 1e3), fmt_time(ti), size / (ti * 1e3)))

    def expect(self, section, line, name=None, modelled=None, gpus=None, gpt=None):
        name = self.op if name is None else name
        if modelled is None:
            modelled = name in ("all_reduce", "all_gather", "reduce_scatter", "alltoall",
                                "sendrecv", "broadcast")
        gpus = self.gpus if gpus is None else gpus
        rows = [r for r in self.rows if r[0] > 0]
        zero = len(self.rows) - len(rows)
        out = ["test %d line %d op %s modelled %d gpus %d gpt %d type %d zero %d rows %d" %
               (section, line, name if name else "-", 1 if modelled else 0, gpus,
                self.gpt if gpt is None else gpt, self.tb, zero, len(rows))]
        out += ["%d %s" % (r[0], g(float(r[2]))) for r in rows]
        return out


def busbw(op, n, algbw):
    f = {"all_reduce": 2.0 * (n - 1) / n, "all_gather": (n - 1) / n,
         "reduce_scatter": (n - 1) / n, "alltoall": (n - 1) / n}.get(op, 1.0)
    return algbw * f


def header_current(t, host="node", per_node=8, gpu="NVIDIA H100 80GB HBM3", named=True,
                   rank_fmt="#  Rank %2d Group  0 Pid %6d on %10s device %2d [0x%02x] %s"):
    lines = []
    lines.append("# nThread 1 nGpus %d minBytes %d maxBytes %d step: 4(factor) warmup iters: 5 "
                 "iters: 20 agg iters: 1 validation: 1 graph: 0" % (t.gpt, t.sizes[0], t.sizes[-1]))
    lines.append("#")
    if named:
        lines.append("# Collective test starting: %s_perf" % t.op)
    lines.append("# Using devices")
    for r in range(t.gpus):
        lines.append(rank_fmt % (r, 4000 + r // per_node, "%s%d" % (host, r // per_node),
                                 r % per_node, 0x18 + 16 * (r % per_node), gpu))
    lines.append("#")
    lines.append("#                                                              out-of-place"
                 "                       in-place          ")
    lines.append("#       size         count      type   redop    root     time   algbw   busbw"
                 " #wrong     time   algbw   busbw #wrong")
    lines.append("#        (B)    (elements)                               (us)  (GB/s)  (GB/s)"
                 "            (us)  (GB/s)  (GB/s)       ")
    return lines


def row_current(t, r, wrong="0"):
    size, count, ts, a, tis, ai = r
    return ("%12d  %12d  %8s  %6s  %6d  %7s  %6.2f  %6.2f  %5s  %7s  %6.2f  %6.2f  %5s" %
            (size, count, t.type_name, t.redop, t.root, ts, a, busbw(t.op, t.gpus, a), wrong,
             tis, ai, busbw(t.op, t.gpus, ai), wrong))


def row_parts(t, r, wrong="0"):
    """The three writes nccl-tests prints a row in: size columns, out-of-place, in-place."""
    size, count, ts, a, tis, ai = r
    return ("%12d  %12d  %8s  %6s  %6d" % (size, count, t.type_name, t.redop, t.root),
            "  %7s  %6.2f  %6.2f  %5s" % (ts, a, busbw(t.op, t.gpus, a), wrong),
            "  %7s  %6.2f  %6.2f  %5s" % (tis, ai, busbw(t.op, t.gpus, ai), wrong))


def footer(t):
    avg = sum(busbw(t.op, t.gpus, r[3]) for r in t.rows) / len(t.rows)
    return ["# Out of bounds values : 0 OK", "# Avg bus bandwidth    : %g " % avg, "#"]


CASES = {}


def case(name, lines, runs):
    CASES[name] = (lines, runs)


def line_of(lines, prefix, nth=1):
    k = 0
    for i, l in enumerate(lines):
        if l.startswith(prefix):
            k += 1
            if k == nth:
                return i + 1
    raise KeyError(prefix)


# ---- 1. nccl-tests 2.13+ (current layout), one test, NCCL version and INFO lines ------------------
t = Test("all_reduce", 8, sizes=[8 << (3 * i) for i in range(10)], base_us=15.6, gbps=260)
L = ["NCCL version 2.21.5+cuda12.4"] + header_current(t)
L.insert(4, "node0:4000:4000 [0] NCCL INFO Bootstrap : Using eth0:10.0.0.1<0>")
L += [row_current(t, r) for r in t.rows] + footer(t)
case("current-allreduce-8gpu", L, [(0, t.expect(1, 2))])

# ---- 1b. overlong noise lines: a progress bar redrawn with CR, a long NCCL topology dump ---------
t = Test("all_gather", 8, sizes=[1 << (12 + 2 * i) for i in range(8)], base_us=10.1, gbps=340,
         redop="none", per_rank_count=True)
L = ["Pulling image" + "\r  37%|######    | 1.2G/3.3G" * 300] + header_current(t)
L.insert(5, "node0:4000:4000 [0] NCCL INFO Trees" + " [0] 1/-1/-1->0->-1" * 300)
L += [row_current(t, r) for r in t.rows] + footer(t)
case("long-noise-lines", L, [(0, t.expect(1, 2))])

# ---- 2. nccl-tests 2.0-2.12: no root column, "error" column, 3-space Rank lines --------------------
t = Test("all_reduce", 8, sizes=[8 << (2 * i) for i in range(14)], base_us=22.0, gbps=120)
L = ["$ mpirun -np 8 ./build/all_reduce_perf -b 8 -e 512M -f 4 -g 1",
     "# nThread 1 nGpus 1 minBytes 8 maxBytes 536870912 step: 4(factor) warmup iters: 5 iters: 20 "
     "validation: 1",
     "#", "# Using devices"]
for r in range(8):
    L.append("#   Rank %2d Pid %6d on    dgx1-01 device %2d [0x%02x] Tesla V100-SXM2-32GB" %
             (r, 9000 + r, r, 0x06 + 8 * r))
L += ["#",
      "#                                                       out-of-place                       in-place",
      "#       size         count      type   redop     time   algbw   busbw  error     time   algbw   busbw  error",
      "#        (B)    (elements)                       (us)  (GB/s)  (GB/s)            (us)  (GB/s)  (GB/s)"]
for r in t.rows:
    size, count, ts, a, tis, ai = r
    L.append("%12d  %12d  %8s  %6s  %7s  %6.2f  %6.2f  %5.0e  %7s  %6.2f  %6.2f  %5.0e" %
             (size, count, "float", "sum", ts, a, busbw("all_reduce", 8, a), 0, tis, ai,
              busbw("all_reduce", 8, ai), 0))
L += ["# Out of bounds values : 0 OK", "# Avg bus bandwidth    : 40.1 ", "#"]
case("v2.0-no-root-3space-rank", L, [(0, t.expect(1, 2))])

# ---- 3. the earliest releases: no redop, no root; -g 2 in one process; the command names it ------
t = Test("all_gather", 2, sizes=[65536 << i for i in range(12)], base_us=12.0, gbps=21,
         per_rank_count=True, gpt=2)
L = ["./all_gather_perf -b 64K -e 128M -f 2 -g 2",
     "# nThread 1 nGpus 2 minBytes 65536 maxBytes 134217728 step: 2(factor) warmup iters: 5 "
     "iters: 20 validation: 1",
     "#", "# Using devices",
     "#   Rank  0 on     ws-gpu device  0 [0x01] GeForce GTX 1080 Ti",
     "#   Rank  1 on     ws-gpu device  1 [0x02] GeForce GTX 1080 Ti",
     "#",
     "#                                                out-of-place                    in-place",
     "#       size         count    type     time   algbw   busbw  error     time   algbw   busbw  error",
     "#        (B)    (elements)             (us)  (GB/s)  (GB/s)            (us)  (GB/s)  (GB/s)"]
for r in t.rows:
    size, count, ts, a, tis, ai = r
    L.append("%12d  %12d  %6s  %7s  %6.2f  %6.2f  %5.0e  %7s  %6.2f  %6.2f  %5.0e" %
             (size, count, "float", ts, a, a / 2, 0, tis, ai, ai / 2, 0))
L += ["# Out of bounds values : 0 OK", "# Avg bus bandwidth    : 6.6972 "]
case("v1-no-redop-no-root", L, [(0, t.expect(1, 2))])

# ---- 4. old broadcast: a root column, no redop ------------------------------------------------------
t = Test("broadcast", 4, sizes=[8 << (3 * i) for i in range(8)], base_us=18.0, gbps=40,
         root=0, redop="")
L = ["+ ./build/broadcast_perf -b 8 -e 128M -f 8 -g 4",
     "# nThread 1 nGpus 4 minBytes 8 maxBytes 134217728 step: 8(factor) warmup iters: 5 iters: 20 "
     "validation: 1", "#", "# Using devices"]
for r in range(4):
    L.append("#   Rank %2d Pid  31337 on      p3-16 device %2d [0x%02x] Tesla V100-SXM2-16GB" %
             (r, r, 0x17 + r))
L += ["#",
      "#       size         count    type    root     time   algbw   busbw  error     time   algbw   busbw  error",
      "#        (B)    (elements)                     (us)  (GB/s)  (GB/s)            (us)  (GB/s)  (GB/s)"]
for r in t.rows:
    size, count, ts, a, tis, ai = r
    L.append("%12d  %12d  %6s  %6d  %7s  %6.2f  %6.2f  %5.0e  %7s  %6.2f  %6.2f  %5.0e" %
             (size, count, "float", 0, ts, a, a, 0, tis, ai, ai, 0))
L += ["# Out of bounds values : 0 OK", "# Avg bus bandwidth    : 9.1 "]
t.gpt = 4
case("v2-broadcast-root-no-redop", L, [(0, t.expect(1, 2))])

# ---- 5. mpirun --tag-output, 2 nodes x 8, tags inside rows, ssh warnings -----------------------------
t = Test("all_reduce", 16, sizes=[1024 << (2 * i) for i in range(10)], base_us=30.0, gbps=95)
T = "[1,0]<stdout>:"
L = ["Warning: Permanently added 'gpu-node-02,10.1.0.12' (ED25519) to the list of known hosts.",
     "Warning: Permanently added 'gpu-node-01,10.1.0.11' (ED25519) to the list of known hosts."]
for l in header_current(t, host="gpu-node-0"):
    L.append(T + l)
L.insert(6, "[1,9]<stdout>:gpu-node-01:4001:4101 [1] NCCL INFO NET/IB : Using [0]mlx5_0:1/IB")
for r in t.rows:
    a, b, c = row_parts(t, r)
    L.append(T + a + T + b + T + c)  # every write tagged: tags inside the row
L += [T + f for f in footer(t)]
case("mpirun-tag-output-16gpu", L, [(0, t.expect(1, 3))])

# ---- 6. Intel MPI "[0]" prefixes, NCCL_DEBUG=INFO lines in the middle of rows ------------------------
t = Test("all_reduce", 8, sizes=[4096 << i for i in range(8)], base_us=25.0, gbps=60)
L = ["[0] " + l for l in header_current(t, host="h100clust-worker-")]
first_line = 1
for r in t.rows:
    a, b, c = row_parts(t, r)
    info = "[0] h100clust-worker-1:497888:497888 [0] NCCL INFO %d Bytes -> Algo 1 proto 2 time " \
           "25.874907" % r[0]
    L.append("[0] " + a + info)             # the size columns, then NCCL's line on the same line
    L.append(info)
    L.append("[0] " + b)                    # the out-of-place half on its own line
    L.append(info)
    L.append("[0] " + c)                    # the in-place half, then the newline
L += ["[0] " + f for f in footer(t)]
case("intel-mpi-prefix-info-mid-row", L, [(0, t.expect(1, first_line))])

# ---- 7. srun --label, job noise, 4 nodes x 8 = 32 GPUs, reduce_scatter ------------------------------
t = Test("reduce_scatter", 32, sizes=[1 << (20 + i) for i in range(10)], base_us=40.0, gbps=48,
         per_rank_count=True)
L = ["srun: job 812345 queued and waiting for resources",
     "srun: job 812345 has been allocated resources"]
L += ["0: " + l for l in header_current(t, host="hgx")]
L += ["0: " + row_current(t, r) for r in t.rows]
L.insert(12, "3: hgx3:4003:4003 [0] NCCL INFO Channel 00/16 : 0 1 2 3 4 5 6 7")
L += ["0: " + f for f in footer(t)]
L += ["srun: error: hgx2: task 17: Exited with exit code 0"]
case("srun-label-32gpu-reduce-scatter", L, [(0, t.expect(1, 3))])

# ---- 8. a cluster script: five tests one after another, one parsim does not model -----------------
tests = [Test("all_reduce", 8, base_us=15.6, gbps=300),
         Test("all_gather", 8, base_us=10.1, gbps=330, redop="none", per_rank_count=True),
         Test("reduce", 8, base_us=14.0, gbps=250, root=0),
         Test("reduce_scatter", 8, base_us=10.2, gbps=320, per_rank_count=True),
         Test("alltoall", 8, base_us=7.4, gbps=300, redop="none", per_rank_count=True),
         Test("sendrecv", 8, base_us=8.0, gbps=350)]
L, exp, k = [], [], 0
for i, t in enumerate(tests):
    L += ["", "========== %s_perf on 1 node ==========" % t.op,
          "Warning: Permanently added 'dgx-a1' (ECDSA) to the list of known hosts."]
    first = len(L) + 1
    L += header_current(t, host="dgx-a")
    L += [row_current(t, r) for r in t.rows] + footer(t)
    exp += t.expect(i + 1, first)
case("cluster-script-six-tests", L, [(0, exp)])

# ---- 9. rccl-tests on MI300X: "Collective test starting" before the header, concluded lines -------
tests = [Test("all_reduce", 8, base_us=26.0, gbps=160),
         Test("broadcast", 8, base_us=20.0, gbps=140, redop="none", root=0)]
L, exp = ["Node gpuf2b8: Pulling container image and saving to rccl.sqsh"], []
for i, t in enumerate(tests):
    first = len(L) + 1
    L.append("# Collective test starting: %s_perf" % t.op)
    h = header_current(t, host="gpuf2b", gpu="AMD Instinct MI300X", named=False,
                       rank_fmt="#  Rank %2d Group  0 Pid %6d on %10s device %2d [0000:%02x:00] %s")
    h.insert(2, "rccl-tests: Version develop:5272cd1")
    L += h + [row_current(t, r) for r in t.rows]
    L += ["# Errors with asterisks indicate errors that have exceeded the maximum threshold."]
    L += footer(t) + ["# Collective test concluded: %s_perf" % t.op, ""]
    exp += t.expect(i + 1, first)
case("rccl-tests-mi300x-two-tests", L, [(0, exp)])

# ---- 10. 8 nodes x 8 = 64 GPUs, all_reduce, NCCL INFO noise ------------------------------------------
t = Test("all_reduce", 64, sizes=[1 << (10 + 2 * i) for i in range(11)], base_us=45.0, gbps=90)
L = header_current(t, host="a3mega-")
L.insert(3, "a3mega-0:4000:4000 [0] NCCL INFO NCCL_SOCKET_IFNAME set by environment to eth0")
L += [row_current(t, r) for r in t.rows] + footer(t)
case("multinode-64gpu-allreduce", L, [(0, t.expect(1, 1))])

# ---- 11. 0-byte rows (a per-rank-count op at tiny sizes) ---------------------------------------------
t = Test("reduce_scatter", 8, sizes=[0, 0, 0, 16, 32, 64, 128, 256, 512, 1024, 2048],
         base_us=5.5, gbps=2, per_rank_count=True)
L = header_current(t, host="node") + [row_current(t, r) for r in t.rows] + footer(t)
case("zero-byte-rows", L, [(0, t.expect(1, 1))])

# ---- 12. a pasted excerpt: one Rank line (rank 71) ---------------------------------------------------
t = Test("all_gather", 72, sizes=[1 << (20 + i) for i in range(4)], base_us=60, gbps=40,
         redop="none", per_rank_count=True)
L = header_current(t, host="n")
rank71 = [l for l in L if l.startswith("#  Rank 71")][0]
L = [l for l in L if not l.startswith("#  Rank")]
L.insert(4, rank71)
L += [row_current(t, r) for r in t.rows]
case("excerpt-rank-gap", L, [
    (0, ["error: excerpt-rank-gap.log:5: the Rank lines go up to rank 71 but list only 1 of the 72 ranks "
         "(gaps: an excerpt?): give the GPU count (--gpus)"]),
    (72, t.expect(1, 1))])

# ---- 13. nccl-tests built without MPI, run under mpirun -np 2: two runs in one file ----------------
t = Test("all_reduce", 1, sizes=[1 << 30], base_us=1, gbps=10)
L = []
for host in ("ip-172-31-20-228", "ip-172-31-22-230"):
    L += ["# nThread 1 nGpus 1 minBytes 1073741824 maxBytes 1073741824 step: 1048576(bytes) "
          "warmup iters: 5 iters: 20 validation: 1", "#", "# Using devices"]
L += ["#   Rank  0 Pid   1320 on ip-172-31-20-228 device  0 [0x00] Tesla V100-SXM2-16GB",
      "#   Rank  0 Pid   2066 on ip-172-31-22-230 device  0 [0x00] Tesla V100-SXM2-16GB"]
case("two-runs-interleaved-headers", L, [
    (0, ["error: two-runs-interleaved-headers.log:4: a second nccl-tests header before the first "
         "one's table: two runs interleaved in one file (nccl-tests built without MPI under "
         "mpirun?)"])])

# ---- 14. two runs' tables mixed into one (sizes go back) ----------------------------------------------
t = Test("all_reduce", 8, sizes=[1024 << (2 * i) for i in range(5)], base_us=15, gbps=200)
L = header_current(t)
rows = [row_current(t, r) for r in t.rows]
L += rows[:3] + rows[:2] + footer(t)
case("two-runs-sizes-go-back", L, [
    (0, ["error: two-runs-sizes-go-back.log:%d: size 1024 after 16384: the sizes go back (two "
         "runs interleaved in one file?)" % (len(header_current(t)) + 4)])])

# ---- 15. the same rank listed twice ---------------------------------------------------------------------
t = Test("all_reduce", 2, sizes=[1024], base_us=10, gbps=10)
L = header_current(t)
L.insert(5, L[4])
case("rank-listed-twice", L, [
    (0, ["error: rank-listed-twice.log:6: rank 0 is listed twice: two runs interleaved in one file "
         "(nccl-tests built without MPI under mpirun?)"])])

# ---- 16. nccl-tests reports a failure in the middle of its table ---------------------------------------
t = Test("all_reduce", 8, sizes=[1024, 4096], base_us=16, gbps=100)
L = header_current(t) + [row_current(t, t.rows[0]),
                         " gpu-07: Test NCCL failure common.cu:1005 'unhandled system error'",
                         " .. gpu-07 pid 28811: Test failure common.cu:891"]
case("test-failure", L, [
    (0, ["error: test-failure.log:%d: nccl-tests reports a failure here: \"gpu-07: Test NCCL "
         "failure common.cu:1005 'unhandled system error'\"" % (len(header_current(t)) + 2)])])

# ---- 17. -d all: one table, several types --------------------------------------------------------------
a = Test("all_reduce", 8, sizes=[1024, 4096], base_us=16, gbps=100)
b = Test("all_reduce", 8, type_name="half", type_bytes=2, sizes=[1024, 4096], base_us=16, gbps=100)
L = header_current(a) + [row_current(a, r) for r in a.rows] + [row_current(b, r) for r in b.rows]
case("mixed-types-d-all", L, [
    (0, ["error: mixed-types-d-all.log:%d: the table mixes data types or reduction ops (float sum, "
         "then half sum: nccl-tests -d all or -o all): parsim compares one type and op per test" %
         (len(header_current(a)) + 3)])])

# ---- 18. a mangled row: a field lost ------------------------------------------------------------------
t = Test("all_gather", 8, sizes=[1024, 4096, 16384], base_us=10, gbps=100, redop="none",
         per_rank_count=True)
rows = [row_current(t, r) for r in t.rows]
bad = rows[1].split()
bad = "  ".join(bad[:6] + bad[7:]) + "  0.5  0.5"  # algbw lost, two extra numbers glued on
L = header_current(t) + [rows[0], bad, rows[2]] + footer(t)
case("mangled-row", L, [
    (0, ["error: mangled-row.log:%d: not part of an nccl-tests table (14 fields where the "
         "column header has 13 (line %d))" % (len(header_current(t)) + 2, len(header_current(t)) - 1)])])

# ---- 19. a row without a column header (which column is the time?) -------------------------------------
t = Test("all_reduce", 8, sizes=[1024], base_us=16, gbps=100)
L = ["# nThread 1 nGpus 1 minBytes 1024 maxBytes 1024", row_current(t, t.rows[0])]
case("row-without-header", L, [
    (0, ["error: row-without-header.log:2: not part of an nccl-tests table (a row before any "
         "\"# size count type ... time\" column header: which column is the time?)"])])

# ---- 20. a test parsim does not model, alone (named, compared by nobody) ------------------------------
t = Test("hypercube", 8, sizes=[1 << 20, 1 << 22], base_us=30, gbps=100, redop="none")
L = header_current(t) + [row_current(t, r) for r in t.rows] + footer(t)
case("hypercube-unmodelled", L, [(0, t.expect(1, 1, modelled=False))])


def main():
    for name, (lines, runs) in sorted(CASES.items()):
        with open(os.path.join(OUT, name + ".log"), "w") as f:
            f.write("\n".join(lines) + "\n")
        with open(os.path.join(OUT, name + ".expect"), "w") as f:
            f.write("# %s.log: expected reading (tests/coll/logs/make_corpus.py)\n" % name)
            for gpus, out in runs:
                f.write("run gpus=%d\n" % gpus)
                f.write("\n".join(out) + "\n")
    print("wrote %d logs to %s" % (len(CASES), OUT))


if __name__ == "__main__":
    main()
