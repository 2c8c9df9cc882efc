parsim cost --gpu h200-sxm --op sampling --tokens 64 --width 128256 --json
