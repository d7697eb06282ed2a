build-o3/joycore/utf8.o: joycore/utf8.cpp joycore/utf8.h
joycore/utf8.h:
