"""Make the in-tree ``scn`` package (frontends/python) importable for these tests."""

import os
import sys

PY_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..',
                                       'frontends', 'python'))
if PY_ROOT not in sys.path:
    sys.path.insert(0, PY_ROOT)
