cd $PARSIM_TMP && grep -v "route src=\"n0g2\" dst=\"n0g5\"" $PARSIM_SOURCE_DIR/platforms/hgx-h100.xml > noroute.xml && parsim platform --describe noroute.xml
