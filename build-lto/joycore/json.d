build-lto/joycore/json.o: joycore/json.cpp joycore/json.h \
 joycore/interp.h joycore/value.h joycore/dict.h joycore/printer.h \
 joycore/text_walk.h joycore/utf8.h
joycore/json.h:
joycore/interp.h:
joycore/value.h:
joycore/dict.h:
joycore/printer.h:
joycore/text_walk.h:
joycore/utf8.h:
