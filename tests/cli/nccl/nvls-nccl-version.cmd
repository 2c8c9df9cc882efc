for v in 2.29.2 2.26.2 2.20.5 2.18.5; do parsim nccl --platform platforms/hgx-h100.xml --algo nvls --predict -b 1K -e 4M -f 4 --nccl-version $v; done
