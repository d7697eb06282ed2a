build-lto/ext/sqlpersist.o: ext/sqlpersist.cpp ext/boundary.h \
 ext/context.h ext/../joycore/interp.h ext/../joycore/value.h \
 ext/../joycore/reader.h ext/statement.h ext/store_host.h \
 ext/sqlite_store.h ext/../joycore/store.h ext/sql_seal.h
ext/boundary.h:
ext/context.h:
ext/../joycore/interp.h:
ext/../joycore/value.h:
ext/../joycore/reader.h:
ext/statement.h:
ext/store_host.h:
ext/sqlite_store.h:
ext/../joycore/store.h:
ext/sql_seal.h:
