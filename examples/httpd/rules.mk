ALL += $(B)/examples/httpd
