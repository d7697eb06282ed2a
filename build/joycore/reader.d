build/joycore/reader.o: joycore/reader.cpp joycore/reader.h \
 joycore/interp.h joycore/value.h joycore/dict.h joycore/printer.h
joycore/reader.h:
joycore/interp.h:
joycore/value.h:
joycore/dict.h:
joycore/printer.h:
