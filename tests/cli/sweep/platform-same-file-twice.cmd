parsim sweep --model llama3.1-8b --platform platforms/hgx-h200.xml,platforms/../platforms/hgx-h200.xml --gpus 2
