build-o3/joycore/builtins_io.o: joycore/builtins_io.cpp joycore/file.h \
 joycore/value.h joycore/interp.h joycore/printer.h joycore/reader.h
joycore/file.h:
joycore/value.h:
joycore/interp.h:
joycore/printer.h:
joycore/reader.h:
