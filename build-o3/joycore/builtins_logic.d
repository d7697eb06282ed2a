build-o3/joycore/builtins_logic.o: joycore/builtins_logic.cpp \
 joycore/dict.h joycore/value.h joycore/file.h joycore/interp.h
joycore/dict.h:
joycore/value.h:
joycore/file.h:
joycore/interp.h:
