parsim predict --model llama3.1-405b --dtype fp8 --tp 4 --pp 2 --platform platforms/hgx-h200.xml --batch 1 --isl 2048 --osl 32 --explain | sed -n "/^why/,\$p"
