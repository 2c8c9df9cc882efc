#!/usr/bin/env python3
"""Writes the bad-input corpus of the platform loader (bad/platform/*.xml) and of the calibration
sidecar reader (bad/sidecar/*.json) from two valid files: a 2-node x 2-GPU InfiniBand platform
(../corpus/platform_load/ib-2x2.xml, written by `parsim platform --gpu h100-sxm --gpus-per-node 2
--nodes 2 --fabric nvswitch --network ib-ndr`) and a minimal sidecar. Each case is one mistake a
user makes when editing such a file by hand, or a damaged file. run_bad.sh checks that each one
exits 2 with the line bad/EXPECTED gives for it. Run from anywhere: python3 make_bad.py"""
import os

here = os.path.dirname(os.path.abspath(__file__))
base = open(os.path.join(here, "..", "corpus", "platform_load", "ib-2x2.xml"), "rb").read()


def sub(old, new, count=1):
    assert base.count(old) >= 1, old
    return base.replace(old, new, count)


def drop_line(needle):
    lines = base.split(b"\n")
    hits = [i for i, l in enumerate(lines) if needle in l]
    assert hits, needle
    del lines[hits[0]]
    return b"\n".join(lines)


platform = {
    "empty.xml": b"",
    "binary.xml": b"\x00\x01\x02\xff\xfe" * 20,
    "gzip.xml": b"\x1f\x8b\x08\x00" + b"\x00" * 40,
    "truncated.xml": base[: len(base) // 2],
    "not_xml.xml": b"fabric=nvswitch\nnodes=2\n",
    "unknown_link.xml": sub(b'<link_ctn id="nic_n1g1" direction="DOWN"/>', b'<link_ctn id="nic_n9g9" direction="DOWN"/>'),
    "missing_route.xml": drop_line(b'<route src="n0g0" dst="n1g1">'),
    "raw_byte_in_value.xml": sub(b'value="ib-ndr"', b'value="ib\xa0ndr"'),
    "network_unknown.xml": sub(b'value="ib-ndr"', b'value="infiniband"'),
    "network_newline.xml": sub(b'value="ib-ndr"', b'value="ib&#10;ndr"'),
    "nic_latency_negative.xml": sub(b'"network_nic_latency_us" value="1.5"', b'"network_nic_latency_us" value="-1.5"'),
    "nic_latency_text.xml": sub(b'"network_nic_latency_us" value="1.5"', b'"network_nic_latency_us" value="1.5us"'),
    "switch_latency_huge.xml": sub(b'"network_switch_latency_us" value="0.3"', b'"network_switch_latency_us" value="2e6"'),
    "plugin_latency_inf.xml": sub(b'"network_plugin_latency_us" value="0"', b'"network_plugin_latency_us" value="1e400"'),
    "proxy_nan.xml": sub(b'"network_proxy_step_us" value="0"', b'"network_proxy_step_us" value="nan"'),
    "efficiency_zero.xml": sub(b'"network_bandwidth_efficiency" value="0.94"', b'"network_bandwidth_efficiency" value="0"'),
    "efficiency_percent.xml": sub(b'"network_bandwidth_efficiency" value="0.94"', b'"network_bandwidth_efficiency" value="94"'),
    "channels_zero.xml": sub(b'"network_channels_per_nic" value="2"', b'"network_channels_per_nic" value="0"'),
    "channels_fraction.xml": sub(b'"network_channels_per_nic" value="2"', b'"network_channels_per_nic" value="1.5"'),
    "channels_too_many.xml": sub(b'"network_channels_per_nic" value="2"', b'"network_channels_per_nic" value="65"'),
    "protocols_empty.xml": sub(b'"network_protocols" value="LL,LL128,Simple"', b'"network_protocols" value=""'),
    "protocols_no_simple.xml": sub(b'"network_protocols" value="LL,LL128,Simple"', b'"network_protocols" value="LL,LL128"'),
    "protocols_lowercase.xml": sub(b'"network_protocols" value="LL,LL128,Simple"', b'"network_protocols" value="ll,simple"'),
    "protocols_repeated.xml": sub(b'"network_protocols" value="LL,LL128,Simple"', b'"network_protocols" value="Simple,Simple"'),
    "algorithms_no_ring.xml": sub(b'"network_algorithms" value="Ring,Tree,NVLSTree"', b'"network_algorithms" value="Tree,NVLSTree"'),
    "algorithms_unknown.xml": sub(b'"network_algorithms" value="Ring,Tree,NVLSTree"', b'"network_algorithms" value="Ring,CollNet"'),
    "min_channels_fraction.xml": sub(b'"network_min_channels" value="0"', b'"network_min_channels" value="1.5"'),
    "max_channels_too_many.xml": sub(b'"network_max_channels" value="0"', b'"network_max_channels" value="65"'),
    "min_above_max_channels.xml": sub(b'"network_max_channels" value="0"', b'"network_max_channels" value="4"').replace(
        b'"network_min_channels" value="0"', b'"network_min_channels" value="8"'),
    "pxn_two.xml": sub(b'"network_pxn" value="1"', b'"network_pxn" value="2"'),
    "pxn_text.xml": sub(b'"network_pxn" value="1"', b'"network_pxn" value="on"'),
    "sharp_two.xml": sub(b'"network_pxn" value="1"/>', b'"network_pxn" value="1"/><prop id="network_sharp" value="2"/>'),
    "sharp_text.xml": sub(b'"network_pxn" value="1"/>', b'"network_pxn" value="1"/><prop id="network_sharp" value="yes"/>'),
    "network_prop_typo.xml": sub(b'"network_nic_latency_us"', b'"network_nic_latncy_us"'),
    "gpu_nic_path_node.xml": sub(b'<prop id="network_pxn" value="1"/>',
                                 b'<prop id="network_pxn" value="1"/><prop id="network_gpu_nic_path" value="node"/>'),
    "gpu_nic_path_upper.xml": sub(b'<prop id="network_pxn" value="1"/>',
                                  b'<prop id="network_pxn" value="1"/><prop id="network_gpu_nic_path" value="PIX"/>'),
    "fabric_unknown.xml": sub(b'"fabric" value="nvswitch"', b'"fabric" value="torus"'),
    "fabric_missing.xml": drop_line(b'<prop id="fabric"'),
    # The NCCL release modelled (sim/platform/nccl_version.c): 2.17.1 or later, MAJOR.MINOR[.PATCH].
    "nccl_version_old.xml": sub(b'<prop id="fabric" value="nvswitch"/>',
                                b'<prop id="fabric" value="nvswitch"/><prop id="nccl_version" value="2.16.5"/>'),
    "nccl_version_suffix.xml": sub(b'<prop id="fabric" value="nvswitch"/>',
                                   b'<prop id="fabric" value="nvswitch"/><prop id="nccl_version" value="2.18.5-1"/>'),
    "nccl_version_text.xml": sub(b'<prop id="fabric" value="nvswitch"/>',
                                 b'<prop id="fabric" value="nvswitch"/><prop id="nccl_version" value="latest"/>'),
    "nodes_mismatch.xml": sub(b'"nodes" value="2"', b'"nodes" value="3"'),
    "gpus_per_node_negative.xml": sub(b'"gpus_per_node" value="2"', b'"gpus_per_node" value="-2"'),
    "nvls_text.xml": sub(b'"nvls" value="1"', b'"nvls" value="yes"'),
    "nic_bandwidth_text.xml": sub(b'"nic_bytes_per_s" value="5e+10"', b'"nic_bytes_per_s" value="400Gbps"'),
    "hbm_negative.xml": sub(b'"hbm_bytes" value="8e+10"', b'"hbm_bytes" value="-8e+10"'),
    "sm_count_huge.xml": sub(b'"sm_count" value="132"', b'"sm_count" value="1e12"'),
    "host_leading_zero.xml": base.replace(b'"n1g1"', b'"n01g1"'),
    "duplicate_host.xml": sub(b'<host id="n1g1"', b'<host id="n1g0"'),
    "link_bandwidth_text.xml": sub(b'bandwidth="5e+01GBps"', b'bandwidth="fast"'),
    # 0 was "not given" to the workload (the catalogue's figure was used) while --describe said 0
    "hbm_zero.xml": sub(b'"hbm_bytes" value="8e+10"', b'"hbm_bytes" value="0"'),
    "hbm_bandwidth_zero.xml": sub(b'"hbm_bandwidth_bytes_per_s" value="3.35e+12"', b'"hbm_bandwidth_bytes_per_s" value="0"'),
    "peak_flops_zero.xml": sub(b'"peak_flops_bf16" value="9.894e+14"', b'"peak_flops_bf16" value="0"'),
    "sm_count_zero.xml": sub(b'"sm_count" value="132"', b'"sm_count" value="0"'),
    "sm_count_fraction.xml": sub(b'"sm_count" value="132"', b'"sm_count" value="13.5"'),
}

minimal_sidecar = b'''{
  "format": "parsim-nccl-calibration 1",
  "ring": {"LL": {"base_us": 4.5, "hop_us": 0.6, "eff": 0.36, "fill_us": 0}},
  "nvls": {"base_us": 25, "hop_us": 0, "eff": 0.6, "fill_us": 0},
  "ring_scale_all_reduce": [1, 1, 1],
  "launch_us": 4.7
}
'''
sidecar = {
    "empty.json": b"",
    "binary.json": b"\x00\x01\xff" * 10,
    "truncated.json": minimal_sidecar[:60],
    "array.json": b"[1, 2, 3]\n",
    "format_missing.json": minimal_sidecar.replace(b'"format": "parsim-nccl-calibration 1",', b''),
    "format_version.json": minimal_sidecar.replace(b'calibration 1', b'calibration 2'),
    "unknown_key.json": minimal_sidecar.replace(b'"launch_us"', b'"launch_ms"'),
    "unknown_proto.json": minimal_sidecar.replace(b'"LL":', b'"ll":'),
    "eff_zero.json": minimal_sidecar.replace(b'"eff": 0.36', b'"eff": 0'),
    "eff_above_one.json": minimal_sidecar.replace(b'"eff": 0.36', b'"eff": 1.2'),
    "base_negative.json": minimal_sidecar.replace(b'"base_us": 4.5', b'"base_us": -4.5'),
    "hop_string.json": minimal_sidecar.replace(b'"hop_us": 0.6', b'"hop_us": "0.6"'),
    "scale_short.json": minimal_sidecar.replace(b'[1, 1, 1]', b'[1, 1]'),
    "scale_zero.json": minimal_sidecar.replace(b'[1, 1, 1]', b'[1, 0, 1]'),
    "ring_not_object.json": minimal_sidecar.replace(b'"ring": {"LL": {"base_us": 4.5, "hop_us": 0.6, "eff": 0.36, "fill_us": 0}}', b'"ring": 3'),
    "launch_huge.json": minimal_sidecar.replace(b'"launch_us": 4.7', b'"launch_us": 1e300'),
    "nvls_copy_negative.json": minimal_sidecar.replace(b'"launch_us": 4.7', b'"launch_us": 4.7, "nvls_copy_GBps": -33'),
    "nvls_reduce_tiny.json": minimal_sidecar.replace(b'"launch_us": 4.7', b'"launch_us": 4.7, "nvls_reduce_GBps": 1e-300'),
    "trailing_comma.json": minimal_sidecar.replace(b'"launch_us": 4.7', b'"launch_us": 4.7,'),
    "control_char_key.json": minimal_sidecar.replace(b'"launch_us"', b'"launch\x01us"'),
    "long_key.json": minimal_sidecar.replace(b'"launch_us"', b'"' + b'k' * 100 + b'"'),
}

for folder, cases in (("platform", platform), ("sidecar", sidecar)):
    os.makedirs(os.path.join(here, folder), exist_ok=True)
    for name, data in cases.items():
        with open(os.path.join(here, folder, name), "wb") as f:
            f.write(data)
with open(os.path.join(here, "minimal.nccl.json"), "wb") as f:
    f.write(minimal_sidecar)
