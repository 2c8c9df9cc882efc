#!/usr/bin/env python3
"""Reference measurements on one real Hopper GPU, with PyTorch (no parsim-record needed).

Run on a GPU host that has PyTorch with CUDA (the runtime recorder parsim-record does not exist
yet; until it does, these measurements are the project's only first-hand GPU data):

    python3 scripts/gpu/record_reference.py OUT_DIR [--budget-s 300]

It writes into OUT_DIR:
  device.json          GPU, driver, CUDA, cuBLAS, NCCL, torch versions; SM count; memory; clocks
  kineto_decoder.json  a PyTorch profiler (Kineto) trace of Llama-3.1-8B decoder layers (bf16,
                       random weights): one prefill (batch 1, ISL 1024) and two decode steps
                       (batch 32, context 1024), each op inside record_function("<op id>"), plus a
                       single-rank NCCL all_reduce so that record_param_comms and an NCCL kernel
                       appear. Input for `parsim import kineto`.
  gemm.csv             GEMM time for the shard shapes of Llama 3.1 8B/70B/405B at TP 1/2/4/8 and
                       1..8192 tokens, bf16 (torch.matmul -> cuBLASLt) and fp8 (torch._scaled_mm)
  attention.csv        FlashAttention-style SDPA time: prefill (causal) and decode vs context
  memory_ops.csv       achieved HBM bandwidth of copy, RMSNorm-like and SiLU*mul elementwise ops
  sampling.csv         next-token sampling over [B, V] logits: greedy torch.argmax (bf16 and fp32
                       logits), and FlashInfer's top-k / top-p kernels when flashinfer imports; in
                       the layout of docs/data/sampling-kernels.csv, so that
                       `parsim calibrate --ops sampling.csv ...` fits the sampler family on it
                       (the greedy class has no public data: docs/data/sampling-kernels.md)
Every timing: warm-up, then a back-to-back loop of R launches between two CUDA events, time = loop
time / R (steady-state stream throughput, launch overhead included as a real stream would see
it). Weights rotate over enough copies to exceed the L2 cache (60 MB on H200) so that small
decode GEMMs read HBM as they do in a real model, not L2.
"""
import argparse, json, math, os, platform, subprocess, sys, time

import torch
import torch.nn.functional as F

L2_DEFEAT_BYTES = 256 << 20  # > 4x the 50-60 MB L2 of H100/H200 (hardware.md 3.1)

# Published Llama configurations (hidden, heads, kv heads, head dim, ffn, layers, vocab):
# meta-llama/Llama-3.1-{8B,70B,405B} config.json on Hugging Face.
MODELS = {
    "llama3.1-8b": dict(hidden=4096, heads=32, kv_heads=8, head_dim=128, ffn=14336, layers=32, vocab=128256),
    "llama3.1-70b": dict(hidden=8192, heads=64, kv_heads=8, head_dim=128, ffn=28672, layers=80, vocab=128256),
    "llama3.1-405b": dict(hidden=16384, heads=128, kv_heads=8, head_dim=128, ffn=53248, layers=126, vocab=128256),
}


class Budget:
    def __init__(self, seconds):
        self.deadline = time.monotonic() + seconds

    def left(self):
        return self.deadline - time.monotonic()


USE_GRAPHS = False  # --graphs: time R calls captured in one CUDA graph (GPU time, no CPU launch cost)


def timed_loop(fn, min_total_s=2e-3, max_reps=200):
    """Mean seconds per call of fn() in a back-to-back loop on the current stream."""
    if USE_GRAPHS:
        return timed_graph(fn, max_reps=min(max_reps, 50))
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record(); fn(); end.record(); torch.cuda.synchronize()
    one = max(start.elapsed_time(end) * 1e-3, 1e-6)
    reps = int(min(max_reps, max(5, math.ceil(min_total_s / one))))
    start.record()
    for _ in range(reps):
        fn()
    end.record()
    torch.cuda.synchronize()
    return start.elapsed_time(end) * 1e-3 / reps, reps


def timed_graph(fn, max_reps):
    """Mean seconds per call when R calls are replayed from one CUDA graph: the GPU-side cost of
    the op with the CPU launch path removed (what a CUDA-graph serving engine sees)."""
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        for _ in range(3):
            fn()
    torch.cuda.current_stream().wait_stream(side)
    torch.cuda.synchronize()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record(); fn(); end.record(); torch.cuda.synchronize()
    one = max(start.elapsed_time(end) * 1e-3, 1e-6)
    reps = int(min(max_reps, max(5, math.ceil(2e-3 / one))))
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        for _ in range(reps):
            fn()
    graph.replay(); torch.cuda.synchronize()
    start.record(); graph.replay(); end.record(); torch.cuda.synchronize()
    del graph
    return start.elapsed_time(end) * 1e-3 / reps, reps


def device_facts():
    props = torch.cuda.get_device_properties(0)
    facts = {
        "gpu_name": props.name,
        "sm_count": props.multi_processor_count,
        "total_memory_bytes": props.total_memory,
        "l2_cache_bytes": getattr(props, "L2_cache_size", None),
        "compute_capability": f"{props.major}.{props.minor}",
        "torch": torch.__version__,
        "cuda_runtime": torch.version.cuda,
        "cudnn": torch.backends.cudnn.version(),
        "nccl": ".".join(map(str, torch.cuda.nccl.version())) if hasattr(torch.cuda, "nccl") else None,
        "host": platform.node(),
        "python": sys.version.split()[0],
        "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    try:
        q = subprocess.run(["nvidia-smi", "--query-gpu=driver_version,clocks.max.sm,clocks.max.mem,"
                            "clocks.sm,power.limit,memory.total", "--format=csv,noheader"],
                           capture_output=True, text=True, timeout=20).stdout.strip()
        facts["nvidia_smi"] = q
    except Exception as exc:  # nvidia-smi missing is not fatal
        facts["nvidia_smi"] = f"unavailable: {exc}"
    return facts


def gemm_shapes(model, tp):
    c = MODELS[model]
    q_out = c["heads"] * c["head_dim"] // tp
    kv_out = max(1, c["kv_heads"] // tp) * c["head_dim"] * 2
    return [  # (op, n, k): out = x[tokens, k] @ W[k, n]
        ("qkv_gemm", q_out + kv_out, c["hidden"]),
        ("o_gemm", c["hidden"], c["heads"] * c["head_dim"] // tp),
        ("gate_up_gemm", 2 * c["ffn"] // tp, c["hidden"]),
        ("down_gemm", c["hidden"], c["ffn"] // tp),
    ]


def rotating(make, nbytes):
    copies = int(min(64, max(1, math.ceil(L2_DEFEAT_BYTES / max(nbytes, 1)))))
    return [make() for _ in range(copies)]


def measure_gemms(out, budget):
    dev = torch.device("cuda")
    tokens_list = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192]
    has_fp8 = hasattr(torch, "_scaled_mm") and hasattr(torch, "float8_e4m3fn")
    with open(os.path.join(out, "gemm.csv"), "w") as f:
        f.write("model,tp,op,dtype,m_tokens,n,k,time_us,reps,tflops\n")
        for model in MODELS:
            for tp in (1, 2, 4, 8):
                for op, n, k in gemm_shapes(model, tp):
                    if budget.left() < 60:
                        return
                    wb = rotating(lambda: torch.randn(k, n, device=dev, dtype=torch.bfloat16) * 0.02, n * k * 2)
                    w8 = None
                    if has_fp8:
                        # _scaled_mm wants B column-major: the transpose of a row-major (n, k) tensor.
                        w8 = rotating(lambda: (torch.randn(n, k, device=dev) * 0.02).to(torch.float8_e4m3fn).t(), n * k)
                    one = torch.tensor(1.0, device=dev)
                    for m in tokens_list:
                        x = torch.randn(m, k, device=dev, dtype=torch.bfloat16)
                        i = [0]
                        def run_bf16():
                            i[0] = (i[0] + 1) % len(wb)
                            return x @ wb[i[0]]
                        t, reps = timed_loop(run_bf16)
                        f.write(f"{model},{tp},{op},bf16,{m},{n},{k},{t*1e6:.3f},{reps},{2*m*n*k/t/1e12:.2f}\n")
                        if w8 is not None and m % 16 == 0:
                            x8 = x.to(torch.float8_e4m3fn)
                            def run_fp8():
                                i[0] = (i[0] + 1) % len(w8)
                                return torch._scaled_mm(x8, w8[i[0]], scale_a=one, scale_b=one, out_dtype=torch.bfloat16)
                            try:
                                t, reps = timed_loop(run_fp8)
                                f.write(f"{model},{tp},{op},fp8,{m},{n},{k},{t*1e6:.3f},{reps},{2*m*n*k/t/1e12:.2f}\n")
                            except Exception as exc:
                                print(f"fp8 gemm skipped: {exc}", file=sys.stderr)
                                w8 = None
                    f.flush()
                    del wb, w8
                    torch.cuda.empty_cache()


def sdpa(q, k, v, causal):
    try:
        return F.scaled_dot_product_attention(q, k, v, is_causal=causal, enable_gqa=True)
    except TypeError:
        rep = q.shape[1] // k.shape[1]
        return F.scaled_dot_product_attention(q, k.repeat_interleave(rep, 1), v.repeat_interleave(rep, 1), is_causal=causal)


def measure_attention(out, budget):
    dev = torch.device("cuda")
    with open(os.path.join(out, "attention.csv"), "w") as f:
        f.write("phase,batch,q_heads,kv_heads,head_dim,q_len,kv_len,time_us,reps\n")
        for heads, kv in ((32, 8), (16, 4), (8, 2), (8, 1), (4, 1)):
            for isl in (128, 256, 512, 1024, 2048, 4096, 8192):
                if budget.left() < 45:
                    return
                q = torch.randn(1, heads, isl, 128, device=dev, dtype=torch.bfloat16)
                kk = torch.randn(1, kv, isl, 128, device=dev, dtype=torch.bfloat16)
                t, reps = timed_loop(lambda: sdpa(q, kk, kk, True))
                f.write(f"prefill,1,{heads},{kv},128,{isl},{isl},{t*1e6:.3f},{reps}\n")
            for batch in (1, 8, 32, 128):
                for ctx in (256, 1024, 4096, 16384):
                    if budget.left() < 45 or batch * ctx > 128 * 16384:
                        continue
                    q = torch.randn(batch, heads, 1, 128, device=dev, dtype=torch.bfloat16)
                    kk = torch.randn(batch, kv, ctx, 128, device=dev, dtype=torch.bfloat16)
                    t, reps = timed_loop(lambda: sdpa(q, kk, kk, False))
                    f.write(f"decode,{batch},{heads},{kv},128,1,{ctx},{t*1e6:.3f},{reps}\n")
            f.flush()


def rms_norm(x, w, eps=1e-5):
    return (x.float() * torch.rsqrt(x.float().pow(2).mean(-1, keepdim=True) + eps)).to(x.dtype) * w


def measure_memory_ops(out, budget):
    dev = torch.device("cuda")
    with open(os.path.join(out, "memory_ops.csv"), "w") as f:
        f.write("op,elements,bytes_moved,time_us,reps,achieved_gbps\n")
        for n in (1 << 20, 1 << 24, 1 << 28, 1 << 30):
            if budget.left() < 30:
                return
            a = torch.empty(n, device=dev, dtype=torch.bfloat16); b = torch.empty_like(a)
            t, reps = timed_loop(lambda: b.copy_(a))
            f.write(f"copy_bf16,{n},{4*n},{t*1e6:.3f},{reps},{4*n/t/1e9:.1f}\n")
            del a, b
        for tokens in (1, 64, 1024, 8192):
            for hidden in (4096, 8192, 16384):
                x = torch.randn(tokens, hidden, device=dev, dtype=torch.bfloat16)
                w = torch.ones(hidden, device=dev, dtype=torch.bfloat16)
                t, reps = timed_loop(lambda: rms_norm(x, w))
                f.write(f"rmsnorm_torch_h{hidden},{tokens*hidden},{4*tokens*hidden},{t*1e6:.3f},{reps},{4*tokens*hidden/t/1e9:.1f}\n")
                gu = torch.randn(tokens, 2 * hidden, device=dev, dtype=torch.bfloat16)
                t, reps = timed_loop(lambda: F.silu(gu[:, :hidden]) * gu[:, hidden:])
                f.write(f"silu_mul_h{hidden},{tokens*hidden},{6*tokens*hidden},{t*1e6:.3f},{reps},{6*tokens*hidden/t/1e9:.1f}\n")
        f.flush()


def catalogue_gpu(name):
    """parsim's catalogue name for the device (the sampler reader refuses any other)."""
    for key, gpu in (("H200", "h200-sxm"), ("H100", "h100-sxm"), ("B200", "b200"), ("A100", "a100-sxm")):
        if key in name:
            return gpu
    return name.lower().replace(" ", "-")


def measure_sampling(out, budget):
    """Greedy argmax (what TensorRT-LLM runs without sampling parameters and benchmark harnesses
    run at temperature 0) and, if available, FlashInfer's rejection samplers (vLLM's and SGLang's
    top-k / top-p path), over batch x vocabulary logits drawn from N(0, 1)."""
    dev = torch.device("cuda")
    gpu = catalogue_gpu(torch.cuda.get_device_properties(0).name)
    timing = "CUDA graph replay" if USE_GRAPHS else "back-to-back stream loop"
    try:
        import flashinfer.sampling as fis
    except Exception:
        fis = None
    src = "parsim-record-reference"
    url = "scripts/gpu/record_reference.py"
    with open(os.path.join(out, "sampling.csv"), "w") as f:
        f.write("source,url,gpu,library,kernel,method,distribution,param,deterministic,batch,vocab,"
                "input_dtype,time_us,timing\n")
        for vocab in (32000, 128256, 152064):
            for batch in (1, 8, 64, 256, 1024):
                if budget.left() < 20:
                    return
                for dt, name in ((torch.bfloat16, "bf16"), (torch.float32, "fp32")):
                    logits = torch.randn(batch, vocab, device=dev, dtype=dt)
                    t, reps = timed_loop(lambda: torch.argmax(logits, dim=-1))
                    f.write(f"{src},{url},{gpu},torch {torch.__version__},argmax,greedy,normal_std1,,true,"
                            f"{batch},{vocab},{name},{t*1e6:.3f},{timing} ({reps} reps)\n")
                if fis is not None:
                    logits = torch.randn(batch, vocab, device=dev, dtype=torch.float32)
                    for method, kw, param, kernel in (("top_k", dict(top_k=50), "k=50", "top_k_sampling_from_logits"),
                                                      ("top_p", dict(top_p=0.9), "p=0.9", "softmax+top_p_sampling_from_probs")):
                        fn = (lambda: fis.top_k_sampling_from_logits(logits, **kw)) if method == "top_k" else \
                             (lambda: fis.top_p_sampling_from_probs(torch.softmax(logits, -1), **kw))
                        try:
                            t, reps = timed_loop(fn)
                        except Exception as exc:
                            print(f"sampling: flashinfer {method} failed: {exc!r}", file=sys.stderr)
                            continue
                        f.write(f"{src},{url},{gpu},flashinfer,{kernel},{method},normal_std1,{param},false,"
                                f"{batch},{vocab},fp32,{t*1e6:.3f},{timing} ({reps} reps)\n")
            f.flush()


class DecoderLayer(torch.nn.Module):
    """A Llama decoder layer at TP1 shapes, written op by op so every op gets a record_function."""

    def __init__(self, c, index):
        super().__init__()
        h, d = c["hidden"], c["head_dim"]
        self.c, self.index = c, index
        mk = lambda *s: torch.nn.Parameter(torch.randn(*s, dtype=torch.bfloat16) * 0.02, requires_grad=False)
        self.wqkv = mk(h, (c["heads"] + 2 * c["kv_heads"]) * d)
        self.wo = mk(c["heads"] * d, h)
        self.wgu = mk(h, 2 * c["ffn"])
        self.wd = mk(c["ffn"], h)
        self.n1 = mk(h); self.n2 = mk(h)

    def forward(self, x, phase, kv_cache):
        c, rf = self.c, torch.profiler.record_function
        tag = lambda kind: f"{phase}/mb0/L{self.index:03d}/{kind}"
        b, s, h = x.shape
        with rf(tag("attn_norm")):
            y = rms_norm(x, self.n1)
        with rf(tag("qkv_gemm")):
            qkv = y @ self.wqkv
        with rf(tag("rope")):
            d, hq, hk = c["head_dim"], c["heads"], c["kv_heads"]
            q, k, v = qkv.split([hq * d, hk * d, hk * d], dim=-1)
            q = q.view(b, s, hq, d).transpose(1, 2); k = k.view(b, s, hk, d).transpose(1, 2); v = v.view(b, s, hk, d).transpose(1, 2)
            half = d // 2
            q = torch.cat([-q[..., half:], q[..., :half]], -1) * 0.5 + q * 0.5
            k = torch.cat([-k[..., half:], k[..., :half]], -1) * 0.5 + k * 0.5
        with rf(tag("attention")):
            if phase == "decode":
                kc, vc = kv_cache
                kc = torch.cat([kc, k], 2); vc = torch.cat([vc, v], 2)
                a = sdpa(q, kc, vc, False)
            else:
                a = sdpa(q, k, v, True)
            a = a.transpose(1, 2).reshape(b, s, hq * d)
        with rf(tag("o_gemm")):
            o = a @ self.wo
        with rf(tag("attn_residual")):
            x = x + o
        with rf(tag("mlp_norm")):
            y = rms_norm(x, self.n2)
        with rf(tag("gate_up_gemm")):
            gu = y @ self.wgu
        with rf(tag("silu_mul")):
            m = F.silu(gu[..., : c["ffn"]]) * gu[..., c["ffn"]:]
        with rf(tag("down_gemm")):
            dn = m @ self.wd
        with rf(tag("mlp_residual")):
            x = x + dn
        return x


def record_kineto(out, budget):
    import torch.distributed as dist
    dev = torch.device("cuda")
    c = MODELS["llama3.1-8b"]
    layers = [DecoderLayer(c, i).to(dev) for i in range(2)]
    have_dist = False
    try:
        os.environ.setdefault("MASTER_ADDR", "127.0.0.1"); os.environ.setdefault("MASTER_PORT", "29517")
        torch.cuda.set_device(0)
        dist.init_process_group("nccl", rank=0, world_size=1, device_id=torch.device("cuda", 0))
        have_dist = True
    except Exception as exc:
        print(f"single-rank NCCL group not available: {exc}", file=sys.stderr)
    isl, batch = 1024, 32
    x_pre = torch.randn(1, isl, c["hidden"], device=dev, dtype=torch.bfloat16)
    x_dec = torch.randn(batch, 1, c["hidden"], device=dev, dtype=torch.bfloat16)
    kv = [(torch.randn(batch, c["kv_heads"], isl, c["head_dim"], device=dev, dtype=torch.bfloat16),) * 2 for _ in layers]

    def step(phase):
        x = x_pre if phase == "prefill" else x_dec
        for li, layer in enumerate(layers):
            x = layer(x, phase, kv[li])
            if have_dist:
                with torch.profiler.record_function(f"{phase}/mb0/L{li:03d}/mlp_allreduce"):
                    dist.all_reduce(x)
        return x

    for _ in range(2):  # warm-up outside the profile: cuBLAS heuristics, NCCL communicator
        step("prefill"); step("decode")
    torch.cuda.synchronize()
    from torch.profiler import profile, ProfilerActivity
    with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA], record_shapes=True) as prof:
        step("prefill")
        step("decode")
        step("decode")
        torch.cuda.synchronize()
    prof.export_chrome_trace(os.path.join(out, "kineto_decoder.json"))
    if have_dist:
        dist.destroy_process_group()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--budget-s", type=float, default=300)
    ap.add_argument("--graphs", action="store_true", help="time ops replayed from CUDA graphs")
    ap.add_argument("--only", default="kineto,memory_ops,attention,gemm,sampling", help="comma-separated sections")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    budget = Budget(args.budget_s)
    global USE_GRAPHS
    USE_GRAPHS = args.graphs
    torch.backends.cuda.matmul.allow_tf32 = False
    facts = device_facts()
    with open(os.path.join(args.out, "device.json"), "w") as f:
        json.dump(facts, f, indent=2)
    print(json.dumps(facts), flush=True)
    for name, fn in (("kineto", record_kineto), ("memory_ops", measure_memory_ops),
                     ("attention", measure_attention), ("gemm", measure_gemms), ("sampling", measure_sampling)):
        if name not in args.only.split(","):
            continue
        t0 = time.monotonic()
        try:
            fn(args.out, budget)
        except Exception as exc:
            print(f"{name}: FAILED: {exc!r}", file=sys.stderr, flush=True)
        print(f"{name}: {time.monotonic() - t0:.1f} s, budget left {budget.left():.0f} s", flush=True)


if __name__ == "__main__":
    main()
