parsim nccl --platform platforms/hgx-h200.xml --algo nvlink 2>&1 | sed 's/ (ring, .*)$/ (LIST)/' # the list is sim/coll's algorithm table, which grows
