parsim platform --describe platforms/hgx-h100.xml --nccl-version 2.18.5
