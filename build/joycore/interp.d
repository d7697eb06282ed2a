build/joycore/interp.o: joycore/interp.cpp joycore/interp.h \
 joycore/value.h joycore/dict.h joycore/printer.h
joycore/interp.h:
joycore/value.h:
joycore/dict.h:
joycore/printer.h:
