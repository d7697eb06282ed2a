build-lto/ext/sqlite_collections.o: ext/sqlite_collections.cpp \
 ext/sqlite_collections.h ext/../joycore/canonical.h \
 ext/../joycore/interp.h ext/../joycore/value.h \
 ext/../joycore/collections.h ext/../joycore/store.h \
 ext/../joycore/dict.h ext/../joycore/utf8.h ext/../joycore/json.h \
 ext/../joycore/printer.h ext/sqlite_store.h ext/sql_seal.h \
 ext/statement.h
ext/sqlite_collections.h:
ext/../joycore/canonical.h:
ext/../joycore/interp.h:
ext/../joycore/value.h:
ext/../joycore/collections.h:
ext/../joycore/store.h:
ext/../joycore/dict.h:
ext/../joycore/utf8.h:
ext/../joycore/json.h:
ext/../joycore/printer.h:
ext/sqlite_store.h:
ext/sql_seal.h:
ext/statement.h:
