build-o3/ext/sqlfunc.o: ext/sqlfunc.cpp ext/../joycore/version.h \
 ext/context.h ext/../joycore/interp.h ext/../joycore/value.h \
 ext/../joycore/reader.h ext/statement.h ext/store_host.h \
 ext/sqlite_store.h ext/../joycore/store.h ext/sql_seal.h ext/sqlvalue.h \
 ext/boundary.h
ext/../joycore/version.h:
ext/context.h:
ext/../joycore/interp.h:
ext/../joycore/value.h:
ext/../joycore/reader.h:
ext/statement.h:
ext/store_host.h:
ext/sqlite_store.h:
ext/../joycore/store.h:
ext/sql_seal.h:
ext/sqlvalue.h:
ext/boundary.h:
