build-o3/joycore/combinators.o: joycore/combinators.cpp joycore/dict.h \
 joycore/value.h joycore/interp.h joycore/printer.h
joycore/dict.h:
joycore/value.h:
joycore/interp.h:
joycore/printer.h:
