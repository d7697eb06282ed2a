build-o3/ext/store_host.o: ext/store_host.cpp ext/store_host.h \
 ext/../joycore/interp.h ext/../joycore/value.h ext/sqlite_store.h \
 ext/../joycore/store.h ext/sql_seal.h ext/statement.h \
 ext/../joycore/printer.h ext/../joycore/reader.h ext/../joycore/utf8.h
ext/store_host.h:
ext/../joycore/interp.h:
ext/../joycore/value.h:
ext/sqlite_store.h:
ext/../joycore/store.h:
ext/sql_seal.h:
ext/statement.h:
ext/../joycore/printer.h:
ext/../joycore/reader.h:
ext/../joycore/utf8.h:
