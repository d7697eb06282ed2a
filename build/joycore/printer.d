build/joycore/printer.o: joycore/printer.cpp joycore/printer.h \
 joycore/value.h joycore/dict.h joycore/interp.h
joycore/printer.h:
joycore/value.h:
joycore/dict.h:
joycore/interp.h:
