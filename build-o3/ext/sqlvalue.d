build-o3/ext/sqlvalue.o: ext/sqlvalue.cpp ext/sqlvalue.h \
 ext/../joycore/value.h ext/boundary.h ext/../joycore/json.h \
 ext/../joycore/interp.h ext/../joycore/printer.h ext/../joycore/utf8.h \
 ext/context.h ext/../joycore/reader.h ext/statement.h ext/store_host.h \
 ext/sqlite_store.h ext/../joycore/store.h ext/sql_seal.h
ext/sqlvalue.h:
ext/../joycore/value.h:
ext/boundary.h:
ext/../joycore/json.h:
ext/../joycore/interp.h:
ext/../joycore/printer.h:
ext/../joycore/utf8.h:
ext/context.h:
ext/../joycore/reader.h:
ext/statement.h:
ext/store_host.h:
ext/sqlite_store.h:
ext/../joycore/store.h:
ext/sql_seal.h:
