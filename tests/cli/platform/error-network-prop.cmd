cd $PARSIM_TMP && sed "s/\"network\" value=\"ib-ndr\"/\"network\" value=\"ndr\"/" $PARSIM_SOURCE_DIR/platforms/hgx-h100-x2-ib.xml > bad.xml && parsim platform --describe bad.xml
