"""Puts the extension built by `make` (build/joy.so of this checkout) into
the package: installing downloads nothing.

    make && pip install ./packaging/python
"""
import os
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py

BUILT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "build", "joy.so")


class WithExtension(build_py):
    def run(self):
        super().run()
        if not os.path.exists(BUILT):
            raise SystemExit("build/joy.so is missing: run make in the checkout first")
        shutil.copyfile(BUILT, os.path.join(self.build_lib, "persistent_joy", "joy.so"))


setup(cmdclass={"build_py": WithExtension})
