"""The ``ddb-catalog`` command the wheel installs: it becomes the bundled static executable."""

from __future__ import annotations

import os
import sys
from typing import NoReturn

from . import binary_path


def main() -> NoReturn:
    """Replaces this Python process with ``ddb-catalog`` and the same arguments.

    The executable is exec'd, not run as a child: signals, stdin/stdout/stderr and the exit
    status are the binary's own, and no Python process stays behind it.
    """
    try:
        binary = binary_path()
    except OSError as error:
        sys.stderr.write(f"ddb-catalog: {error}\n")
        sys.exit(1)
    try:
        os.execv(binary, [str(binary), *sys.argv[1:]])
    except OSError as error:
        sys.stderr.write(
            f"ddb-catalog: cannot run {binary}: {error} "
            "(the bundled executable is a static Linux x86_64 binary)\n"
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
