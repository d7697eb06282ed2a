build/ext/cli.o: ext/cli.cpp ext/../joycore/interp.h \
 ext/../joycore/value.h ext/../joycore/reader.h
ext/../joycore/interp.h:
ext/../joycore/value.h:
ext/../joycore/reader.h:
