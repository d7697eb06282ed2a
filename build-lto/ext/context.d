build-lto/ext/context.o: ext/context.cpp ext/context.h \
 ext/../joycore/interp.h ext/../joycore/value.h ext/../joycore/reader.h \
 ext/statement.h ext/store_host.h ext/sqlite_store.h \
 ext/../joycore/store.h ext/sql_seal.h ext/../joycore/printer.h \
 ext/../joycore/utf8.h ext/sqlite_collections.h \
 ext/../joycore/canonical.h ext/sqlvalue.h ext/boundary.h
ext/context.h:
ext/../joycore/interp.h:
ext/../joycore/value.h:
ext/../joycore/reader.h:
ext/statement.h:
ext/store_host.h:
ext/sqlite_store.h:
ext/../joycore/store.h:
ext/sql_seal.h:
ext/../joycore/printer.h:
ext/../joycore/utf8.h:
ext/sqlite_collections.h:
ext/../joycore/canonical.h:
ext/sqlvalue.h:
ext/boundary.h:
