build-lto/joycore/reader.o: joycore/reader.cpp joycore/reader.h \
 joycore/interp.h joycore/value.h joycore/c_locale.h joycore/dict.h \
 joycore/file.h joycore/printer.h
joycore/reader.h:
joycore/interp.h:
joycore/value.h:
joycore/c_locale.h:
joycore/dict.h:
joycore/file.h:
joycore/printer.h:
