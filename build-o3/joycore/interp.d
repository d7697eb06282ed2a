build-o3/joycore/interp.o: joycore/interp.cpp joycore/interp.h \
 joycore/value.h joycore/dict.h joycore/file.h joycore/printer.h \
 joycore/reader.h
joycore/interp.h:
joycore/value.h:
joycore/dict.h:
joycore/file.h:
joycore/printer.h:
joycore/reader.h:
