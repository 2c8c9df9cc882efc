cd $PARSIM_TMP && sed "s/link_ctn id=\"nvl_n0g1\"/link_ctn id=\"nvl_nope\"/" $PARSIM_SOURCE_DIR/platforms/hgx-h100.xml > badlink.xml && parsim platform --describe badlink.xml
