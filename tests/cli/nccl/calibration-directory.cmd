parsim nccl --platform platforms/hgx-h100.xml -b 8 -e 8 --calibration tests
