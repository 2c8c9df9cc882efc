cd $PARSIM_TMP && sed "/<config>/,/<\/config>/d" $PARSIM_SOURCE_DIR/platforms/hgx-h100.xml > noconfig.xml && parsim platform --describe noconfig.xml --json
