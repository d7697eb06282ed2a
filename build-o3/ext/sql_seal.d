build-o3/ext/sql_seal.o: ext/sql_seal.cpp ext/sql_seal.h \
 ext/../joycore/interp.h ext/../joycore/value.h ext/sqlite_collections.h \
 ext/../joycore/canonical.h ext/statement.h
ext/sql_seal.h:
ext/../joycore/interp.h:
ext/../joycore/value.h:
ext/sqlite_collections.h:
ext/../joycore/canonical.h:
ext/statement.h:
