build-lto/ext/vtab_list.o: ext/vtab_list.cpp ext/../joycore/dict.h \
 ext/../joycore/value.h ext/../joycore/json.h ext/../joycore/interp.h \
 ext/../joycore/printer.h ext/../joycore/reader.h ext/../joycore/utf8.h \
 ext/context.h ext/statement.h ext/store_host.h ext/sqlite_store.h \
 ext/../joycore/store.h ext/sql_seal.h ext/sqlite_collections.h \
 ext/../joycore/canonical.h ext/sqlvalue.h ext/boundary.h
ext/../joycore/dict.h:
ext/../joycore/value.h:
ext/../joycore/json.h:
ext/../joycore/interp.h:
ext/../joycore/printer.h:
ext/../joycore/reader.h:
ext/../joycore/utf8.h:
ext/context.h:
ext/statement.h:
ext/store_host.h:
ext/sqlite_store.h:
ext/../joycore/store.h:
ext/sql_seal.h:
ext/sqlite_collections.h:
ext/../joycore/canonical.h:
ext/sqlvalue.h:
ext/boundary.h:
