parsim validate --platform hgx-h100
