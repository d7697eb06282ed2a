build-o3/joycore/dict.o: joycore/dict.cpp joycore/dict.h joycore/value.h
joycore/dict.h:
joycore/value.h:
