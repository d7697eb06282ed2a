build-o3/ext/sqlite_store.o: ext/sqlite_store.cpp ext/sqlite_store.h \
 ext/../joycore/interp.h ext/../joycore/value.h ext/../joycore/store.h \
 ext/sql_seal.h ext/statement.h ext/../joycore/dict.h \
 ext/../joycore/json.h ext/../joycore/printer.h ext/schema.h \
 build/gen/schema_sql.inc ext/store_internal.h
ext/sqlite_store.h:
ext/../joycore/interp.h:
ext/../joycore/value.h:
ext/../joycore/store.h:
ext/sql_seal.h:
ext/statement.h:
ext/../joycore/dict.h:
ext/../joycore/json.h:
ext/../joycore/printer.h:
ext/schema.h:
build/gen/schema_sql.inc:
ext/store_internal.h:
