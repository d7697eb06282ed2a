build-lto/ext/store_sessions.o: ext/store_sessions.cpp ext/sqlite_store.h \
 ext/../joycore/interp.h ext/../joycore/value.h ext/../joycore/store.h \
 ext/sql_seal.h ext/statement.h ext/store_internal.h
ext/sqlite_store.h:
ext/../joycore/interp.h:
ext/../joycore/value.h:
ext/../joycore/store.h:
ext/sql_seal.h:
ext/statement.h:
ext/store_internal.h:
