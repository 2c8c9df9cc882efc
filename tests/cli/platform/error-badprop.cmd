cd $PARSIM_TMP && sed "s/value=\"8e+10\"/value=\"lots\"/" $PARSIM_SOURCE_DIR/platforms/hgx-h100.xml > badprop.xml && parsim platform --describe badprop.xml
