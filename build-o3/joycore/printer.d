build-o3/joycore/printer.o: joycore/printer.cpp joycore/printer.h \
 joycore/value.h joycore/dict.h joycore/c_locale.h joycore/file.h \
 joycore/interp.h joycore/text_walk.h joycore/utf8.h
joycore/printer.h:
joycore/value.h:
joycore/dict.h:
joycore/c_locale.h:
joycore/file.h:
joycore/interp.h:
joycore/text_walk.h:
joycore/utf8.h:
