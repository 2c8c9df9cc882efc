timeout 20 "$bin" nccl --platform platforms/hgx-h100.xml --compare /dev/zero
