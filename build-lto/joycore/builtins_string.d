build-lto/joycore/builtins_string.o: joycore/builtins_string.cpp \
 joycore/c_locale.h joycore/file.h joycore/value.h joycore/interp.h \
 joycore/utf8.h
joycore/c_locale.h:
joycore/file.h:
joycore/value.h:
joycore/interp.h:
joycore/utf8.h:
