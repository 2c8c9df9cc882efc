#!/usr/bin/env python3
"""Writes the bad-input corpus of the trace readers (tests/trace/corpus/), reproducibly.

base/ is a small valid TP2 trace; every other file is one broken variant of one of its files
(activities/*.csv replaces base/activities.csv, and so on). tests/trace/run_corpus.sh runs
`parsim trace check` on each variant and compares stderr with EXPECTED: every case must exit 2
with one line FILE:LINE: reason. Run this script again after changing it; commit its output.
"""
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
AH = "rank,device,stream,op_id,correlation_id,kind,name,start_ns,end_ns,bytes,grid_x,grid_y,grid_z,block_x,block_y,block_z\n"
CH = "rank,stream,op_id,correlation_id,collective,bytes,dtype,peer,group_id,group_size,seq,start_ns,end_ns\n"
OH = "op_id,layer,op_kind,shape,graph_node\n"
NCCL = "ncclDevKernel_AllReduce_Sum_bf16_RING_LL(ncclDevKernelArgsStorage<4096ul>)"
GEMM = '"void cutlass::Kernel2<cutlass_80_wmma_tensorop_bf16_s161616gemm_bf16_16x16_128x2_tn_align8>(cutlass_80_wmma_tensorop_bf16_s161616gemm_bf16_16x16_128x2_tn_align8::Params)"'

ACT_ROWS = [
    f"0,0,7,decode/mb0/L000/qkv_gemm,11,kernel,{GEMM},1000,5000,0,96,1,1,128,1,1\n",
    f"1,1,7,decode/mb0/L000/qkv_gemm,11,kernel,{GEMM},1100,5200,0,96,1,1,128,1,1\n",
    f"0,0,7,decode/mb0/L000/attn_allreduce,12,kernel,{NCCL},6000,9000,0,2,1,1,512,1,1\n",
    f"1,1,7,decode/mb0/L000/attn_allreduce,12,kernel,{NCCL},6100,9000,0,2,1,1,512,1,1\n",
    "0,0,7,,13,memcpy,Memcpy DtoH (Device -> Pinned),9500,9700,64,0,0,0,0,0,0\n",
]
COMM_ROWS = [
    "0,7,decode/mb0/L000/attn_allreduce,12,allreduce,65536,bf16,,tp0,2,0,6000,9000\n",
    "1,7,decode/mb0/L000/attn_allreduce,12,allreduce,65536,bf16,,tp0,2,0,6100,9000\n",
]
META = {
    "format": "parsim-trace 1", "source": "synthetic", "shard_emulation": False,
    "gpu_name": "NVIDIA H100 80GB HBM3", "gpu_count": 2, "sm_clock_mhz": 1980, "mem_clock_mhz": 2619,
    "driver_version": "", "cuda_version": "", "nccl_version": "", "cupti_version": "",
    "recorder_version": "tests/trace/corpus/make_corpus.py", "host": "synthetic", "date": "",
    "model": "llama3.1-8b", "dtype": "bf16", "tp": 2, "pp": 1, "dp": 1, "batch": 8, "isl": 1024,
    "osl": 128, "phase": "decode", "clock": "relative",
}
# parsim-trace 2 = the version 1 keys plus these (docs/trace-format.md); base/ is version 2.
V1_META = dict(META)
META = dict(META, format="parsim-trace 2", kv_dtype="bf16", microbatches=1, launch_mode="graph",
            warmup_iterations=2, measured_iterations=1, emulated_rank=-1, layer_first=0, layer_count=0,
            platform="hgx-h100")


def meta_text(meta):
    return json.dumps(meta, indent=2) + "\n"


def write(rel, data):
    path = os.path.join(HERE, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)


def act(*rows):
    return AH + "".join(rows)


def comms(*rows):
    return CH + "".join(rows)


def main():
    write("base/meta.json", meta_text(META))
    write("base/activities.csv", act(*ACT_ROWS))
    write("base/comms.csv", comms(*COMM_ROWS))

    a0 = ACT_ROWS[0]
    A = {
        "empty.csv": "",
        "header_only_wrong.csv": AH.replace("start_ns", "start_us"),
        "header_missing_column.csv": AH.replace(",bytes", "") + a0,
        "missing_column.csv": AH + a0.replace(",0,96,1,1,", ",96,1,1,"),
        "extra_column.csv": AH + a0.replace("\n", ",1\n"),
        "truncated.csv": act(*ACT_ROWS)[:-40],
        "unterminated_quote.csv": AH + a0.replace("::Params)\"", "::Params)"),
        "text_after_quote.csv": AH + a0.replace("::Params)\",", "::Params)\"x,"),
        "quote_in_unquoted_field.csv": AH + '0,0,7,,1,kernel,abc"def,0,10,0,1,1,1,1,1,1\n',
        "non_numeric_time.csv": AH + a0.replace(",1000,5000,", ",12abc,5000,"),
        "float_time.csv": AH + a0.replace(",1000,5000,", ",1000.5,5000,"),
        "hex_number.csv": AH + a0.replace(",96,1,1,", ",0x60,1,1,"),
        "space_padded_number.csv": AH + a0.replace(",1000,5000,", ", 1000,5000,"),
        "negative_time.csv": AH + a0.replace(",1000,5000,", ",-1000,5000,"),
        "end_before_start.csv": AH + a0.replace(",1000,5000,", ",5000,1000,"),
        "huge_number.csv": AH + a0.replace(",1000,5000,", ",1000,184467440737095516160000,"),
        "time_beyond_limit.csv": AH + a0.replace(",1000,5000,", ",1000,9223372036854775807,"),
        "grid_too_big.csv": AH + a0.replace(",96,1,1,", ",4294967296,1,1,"),
        "overlap_on_stream.csv": act(a0, a0.replace(",1000,5000,", ",4000,7000,").replace(",11,", ",12,")),
        "out_of_start_order.csv": act(a0, a0.replace(",7,", ",8,").replace(",1000,5000,", ",500,600,")),
        "crlf_line_endings.csv": act(*ACT_ROWS).replace("\n", "\r\n"),
        "nul_byte.csv": AH + a0[:20] + "\0" + a0[20:],
        "invalid_utf8_name.csv": AH.encode() + b"0,0,7,,1,kernel,caf\xe9 \xc0\xaf,0,10,0,1,1,1,1,1,1\n",
        "control_char_name.csv": AH + "0,0,7,,1,kernel,bell\x07,0,10,0,1,1,1,1,1,1\n",
        "empty_name.csv": AH + "0,0,7,,1,kernel,,0,10,0,1,1,1,1,1,1\n",
        "empty_line.csv": AH + a0 + "\n" + ACT_ROWS[1],
        "unknown_kind.csv": AH + a0.replace(",kernel,", ",launch,"),
        "bad_op_id.csv": AH + a0.replace("decode/mb0/L000/qkv_gemm", "qkv gemm"),
        "rank_outside_plan.csv": AH + a0.replace("0,0,7,", "2,2,7,", 1),
        "record_too_long.csv": AH + "0,0,7,,1,kernel,\"" + "x" * 30000 + "\",0,10,0,1,1,1,1,1,1\n",
        "name_too_long.csv": AH + "0,0,7,,1,kernel," + "y" * 9000 + ",0,10,0,1,1,1,1,1,1\n",
        "empty_number.csv": AH + a0.replace(",11,kernel,", ",,kernel,"),
        # base/meta.json: llama3.1-8b, 32 layers (L000..L031): the op graph has no layer 32.
        "op_id_not_in_graph.csv": AH + a0.replace("L000/qkv_gemm", "L032/qkv_gemm"),
        "op_id_not_graph_form.csv": AH + a0.replace("decode/mb0/L000/qkv_gemm", "aten::mm"),
        # a decode step of batch 8 on pp1 has one microbatch: mb1 does not exist
        "op_id_bad_microbatch.csv": AH + a0.replace("mb0", "mb1"),
    }
    rnd = random.Random(5)
    A["binary_garbage.csv"] = bytes(rnd.randrange(256) for _ in range(4096))
    A["gzip_file.csv"] = b"\x1f\x8b\x08\x00" + bytes(rnd.randrange(256) for _ in range(512))
    A["json_instead_of_csv.csv"] = '{"traceEvents": []}\n'
    for name, data in A.items():
        write("activities/" + name, data)

    c0, c1 = COMM_ROWS
    C = {
        "empty.csv": "",
        "wrong_header.csv": CH.replace("seq", "sequence") + c0 + c1,
        "group_bytes_differ.csv": comms(c0, c1.replace(",65536,", ",131072,")),
        "group_kind_differs.csv": comms(c0, c1.replace(",allreduce,", ",allgather,")),
        "group_dtype_differs.csv": comms(c0, c1.replace(",bf16,", ",f16,")),
        "missing_on_one_rank.csv": comms(c0, c1, c0.replace(",0,6000,9000", ",1,9100,9200")),
        "group_size_differs.csv": comms(c0, c1.replace(",tp0,2,", ",tp0,1,")),
        "seq_not_increasing.csv": comms(c0, c0, c1),
        "peer_on_allreduce.csv": comms(c0.replace(",bf16,,", ",bf16,1,"), c1),
        "unknown_dtype.csv": comms(c0.replace(",bf16,", ",bfloat16,"), c1),
        "unknown_collective.csv": comms(c0.replace(",allreduce,", ",all_reduce,"), c1),
        "start_without_end.csv": comms(c0.replace(",6000,9000", ",6000,"), c1),
        "send_to_itself.csv": comms("0,7,,1,send,64,bf16,0,pp,2,0,10,20\n"),
        "send_without_recv.csv": comms(c0, c1, "0,7,,5,send,64,bf16,1,tp0,2,0,10,20\n"),
        "recv_bytes_differ.csv": comms("0,7,,1,send,64,bf16,1,pp,2,0,10,20\n", "1,7,,1,recv,32,bf16,0,pp,2,0,10,20\n"),
        "bad_group_id.csv": comms(c0.replace(",tp0,", ",tp 0,"), c1),
        "empty_group_id.csv": comms(c0.replace(",tp0,", ",,"), c1),
        "peer_outside_plan.csv": comms("0,7,,1,send,64,bf16,5,pp,2,0,10,20\n"),
        "group_size_zero.csv": comms(c0.replace(",tp0,2,", ",tp0,0,"), c1),
        "truncated.csv": comms(c0, c1)[:-3],
        "negative_bytes.csv": comms(c0.replace(",65536,", ",-65536,"), c1),
        "huge_bytes.csv": comms(c0.replace(",65536,", ",2251799813685248,"), c1),
        "undefined_op_id_against_ops.csv": None,  # placeholder, see ops/
    }
    del C["undefined_op_id_against_ops.csv"]
    C["binary_garbage.csv"] = bytes(rnd.randrange(256) for _ in range(2048))
    for name, data in C.items():
        write("comms/" + name, data)

    O = {
        "empty.csv": "",
        "duplicate_op_id.csv": OH + "decode/mb0/L000/qkv_gemm,0,gemm,,\ndecode/mb0/L000/attn_allreduce,0,allreduce,,\n"
                               "decode/mb0/L000/qkv_gemm,0,gemm,,\n",
        "missing_op_kind.csv": OH + "decode/mb0/L000/qkv_gemm,0,,m=8 n=3072 k=4096,\n",
        "bad_layer.csv": OH + "decode/mb0/L000/qkv_gemm,-1,gemm,,\n",
        "empty_op_id.csv": OH + ",0,gemm,,\n",
        # Valid by itself, but the activities of base/ use op ids it does not define.
        "lacks_used_op_ids.csv": OH + "decode/mb0/L000/qkv_gemm,0,gemm,m=8 n=3072 k=4096,decode/mb0/L000/qkv_gemm\n",
    }
    for name, data in O.items():
        write("ops/" + name, data)

    def meta_with(**changes):
        m = dict(META)
        for k, v in changes.items():
            if v is None:
                m.pop(k)
            else:
                m[k] = v
        return meta_text(m)

    M = {
        "empty.json": "",
        "not_json.json": "format=parsim-trace 1\n",
        "truncated.json": meta_text(META)[:200],
        "array.json": "[1, 2, 3]\n",
        "unknown_version.json": meta_with(format="parsim-trace 3"),
        "v1_with_v2_key.json": meta_text(dict(V1_META, launch_mode="graph")),
        "v2_missing_v2_key.json": meta_with(launch_mode=None),
        "bad_kv_dtype.json": meta_with(kv_dtype="e4m3"),
        "bad_launch_mode.json": meta_with(launch_mode="cudagraph"),
        "emulated_rank_without_shard.json": meta_with(emulated_rank=1),
        "emulated_rank_outside_plan.json": meta_with(emulated_rank=2, shard_emulation=True),
        "emulated_rank_below_none.json": meta_with(emulated_rank=-2),
        "layer_first_without_count.json": meta_with(layer_first=8),
        # base/ has rows of ranks 0 and 1 and ops of layer 0 only
        "emulated_rank_rows_differ.json": meta_with(shard_emulation=True, emulated_rank=1),
        "layer_subset_excludes_rows.json": meta_with(layer_first=5, layer_count=2),
        "missing_key.json": meta_with(gpu_name=None),
        "extra_key.json": meta_text(dict(META, gpu_nmae="typo")),
        "duplicate_key.json": meta_text(META).replace('"tp": 2,', '"tp": 2,\n  "tp": 4,'),
        "wrong_type.json": meta_with(gpu_count="2"),
        "bad_source.json": meta_with(source="perfetto"),
        "negative_int.json": meta_with(batch=-8),
        "huge_int.json": meta_with(isl=10 ** 30),
        "fractional_int.json": meta_with(tp=1.5),
        "bad_phase.json": meta_with(phase="generate"),
        "string_too_long.json": meta_with(host="h" * 300),
        "control_char.json": meta_with(model="llama\u0001"),
        "nul_byte.json": meta_text(META).replace('"host"', '"ho\0st"'),
        "bool_as_int.json": meta_with(shard_emulation=0),
        # Llama-3.1-8B has 32 heads: tp 3 does not divide them (and the trace has ranks 0-1 only).
        "plan_impossible_for_model.json": meta_with(tp=3, gpu_count=3),
    }
    for name, data in M.items():
        write("meta/" + name, data)
    # Valid variants: each replaces base/meta.json and must pass (run_corpus.sh).
    write("good/v1_meta.json", meta_text(V1_META))
    write("good/v2_shard_emulation.json", meta_with(shard_emulation=True, emulated_rank=-1, layer_first=0,
                                                    layer_count=1, launch_mode="eager"))


if __name__ == "__main__":
    main()
