parsim nccl --platform platforms/mesh8-h200.xml --op all_reduce --algo ring --proto Simple -b 1G -e 1G --json
