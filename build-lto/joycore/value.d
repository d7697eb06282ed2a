build-lto/joycore/value.o: joycore/value.cpp joycore/value.h \
 joycore/dict.h joycore/interp.h
joycore/value.h:
joycore/dict.h:
joycore/interp.h:
