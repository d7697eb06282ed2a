build-lto/joycore/canonical.o: joycore/canonical.cpp joycore/canonical.h \
 joycore/interp.h joycore/value.h joycore/c_locale.h joycore/dict.h \
 joycore/printer.h joycore/text_walk.h joycore/utf8.h
joycore/canonical.h:
joycore/interp.h:
joycore/value.h:
joycore/c_locale.h:
joycore/dict.h:
joycore/printer.h:
joycore/text_walk.h:
joycore/utf8.h:
